import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * DuckDB forgets an interrupt that arrives while no query is active (e.g. while a statement is still
 * being prepared), so after an abort the interrupt is repeated until the task lets go of the connection.
 */
const REPEAT_MS = 50;

/** Turns a task's abort signal into `connection.interrupt()` and remembers that it did. */
export class Interrupter {
  readonly #signal: AbortSignal;
  readonly #connection: DuckDBConnection;
  #requested: boolean;
  #timer: NodeJS.Timeout | undefined;

  constructor(signal: AbortSignal, connection: DuckDBConnection) {
    this.#signal = signal;
    this.#connection = connection;
    this.#requested = signal.aborted;
    if (!signal.aborted) signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * True once the task was aborted. An interrupted stream ends with an empty chunk exactly like a
   * complete one, so this flag is the only way to tell a cancelled statement from a short result.
   */
  get requested(): boolean {
    return this.#requested;
  }

  dispose(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  readonly #onAbort = (): void => {
    this.#requested = true;
    this.#connection.interrupt();
    this.#timer = setInterval(() => this.#connection.interrupt(), REPEAT_MS);
    this.#timer.unref();
  };
}
