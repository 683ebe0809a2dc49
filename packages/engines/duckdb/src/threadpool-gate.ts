/** libuv's own bounds for UV_THREADPOOL_SIZE. */
const DEFAULT_POOL_SIZE = 4;
const MAX_POOL_SIZE = 1024;
/** Threads left to file writes, DNS and the rest of the process. */
const RESERVED_THREADS = 2;

/**
 * Counts DuckDB calls that hold a thread of Node's libuv pool. `connection.stream()` holds one for
 * as long as the query runs before its first row, and the pool (4 threads by default) also serves
 * every `fs` call: with four long queries on it, result and log writes of every other task wait for
 * them. Statements that find the gate full run without holding a thread (see `openResult`).
 */
export class ThreadpoolGate {
  readonly slots: number;
  #inUse = 0;

  constructor(slots: number) {
    this.slots = slots;
  }

  /** `UV_THREADPOOL_SIZE` (as libuv read it at start) minus the threads kept for everything else. */
  static defaultSlots(env: NodeJS.ProcessEnv = process.env): number {
    const size = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
    const pool = Number.isInteger(size) && size > 0 ? Math.min(size, MAX_POOL_SIZE) : DEFAULT_POOL_SIZE;
    return Math.max(1, pool - RESERVED_THREADS);
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** Takes a slot if one is free. */
  tryEnter(): boolean {
    if (this.#inUse >= this.slots) return false;
    this.#inUse++;
    return true;
  }

  /** Counts a call that must use the pool anyway (fetching a chunk), so later statements see it. */
  enter(): void {
    this.#inUse++;
  }

  leave(): void {
    if (this.#inUse > 0) this.#inUse--;
  }
}
