import type { DuckDBConnection } from '@duckdb/node-api';
import type { TaskContext } from '@engineconn/core';

/**
 * DuckDB forgets an interrupt that arrives while no query is active (e.g. while a statement is still
 * being prepared), so after an abort the interrupt is repeated until the task lets go of the connection.
 */
const REPEAT_MS = 50;

/**
 * Turns a task's abort into `connection.interrupt()` and remembers that it did. It listens through
 * `task.onAbort`, not the task's AbortSignal: a listener added to and removed from a Node 20
 * AbortSignal, and the signal itself, cost a trivial statement's main thread about 10 µs.
 */
export class Interrupter {
  readonly #connection: DuckDBConnection;
  readonly #stopListening: () => void;
  #requested: boolean;
  #timer: NodeJS.Timeout | undefined;

  constructor(task: TaskContext, connection: DuckDBConnection) {
    this.#connection = connection;
    this.#requested = task.aborted;
    this.#stopListening = task.onAbort(this.#onAbort);
  }

  /**
   * True once the task was aborted. An interrupted stream ends with an empty chunk exactly like a
   * complete one, so this flag is the only way to tell a cancelled statement from a short result.
   */
  get requested(): boolean {
    return this.#requested;
  }

  dispose(): void {
    this.#stopListening();
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
