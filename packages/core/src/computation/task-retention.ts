import { Fifo } from '../util/fifo.js';
import { type LongTimer, setLongTimeout } from '../util/long-timer.js';

export interface TaskRetentionOptions<T> {
  /** How long a finished task is kept after it finished. */
  ms: number;
  /** How many finished tasks are kept at most. */
  count: number;
  /** Drops a task that is no longer kept. */
  evict: (task: T) => void;
}

/**
 * Keeps finished tasks until they are older than the retention time or more than the retention
 * count have finished after them. One timer serves them all, armed for the oldest: a timer per task
 * held each task (its journal, log and results) in memory for the whole retention time even after
 * the count had evicted it, and cost a timer per task.
 */
export class TaskRetention<T extends { readonly finishedAt: number | undefined }> {
  readonly #opts: TaskRetentionOptions<T>;
  /** Finished tasks still kept, oldest first (in the order they finished). */
  readonly #finished = new Fifo<T>();
  /** Evicts the oldest kept task when its retention ends; armed while any is kept. */
  #expiry: LongTimer | null = null;

  constructor(opts: TaskRetentionOptions<T>) {
    this.#opts = opts;
  }

  /** Tasks kept now. */
  get size(): number {
    return this.#finished.size;
  }

  /** Keeps a task that has just finished. */
  keep(task: T): void {
    this.#finished.push(task);
    while (this.#finished.size > this.#opts.count) {
      const oldest = this.#finished.shift();
      if (oldest) this.#opts.evict(oldest);
    }
    this.#expiry ??= this.#armExpiry();
  }

  /** Stops the timer: nothing is evicted by time from here on. Idempotent. */
  close(): void {
    this.#expiry?.clear();
    this.#expiry = null;
  }

  /** The timer for the oldest kept task's end of retention, or null when none is kept. */
  #armExpiry(): LongTimer | null {
    const oldest = this.#finished.peek();
    if (!oldest) return null;
    const now = Date.now();
    const expiresAt = (oldest.finishedAt ?? now) + this.#opts.ms;
    return setLongTimeout(() => this.#expire(), Math.max(0, expiresAt - now));
  }

  #expire(): void {
    const cutoff = Date.now() - this.#opts.ms;
    while (this.#finished.size > 0 && (this.#finished.peek()?.finishedAt ?? 0) <= cutoff) {
      const oldest = this.#finished.shift();
      if (oldest) this.#opts.evict(oldest);
    }
    this.#expiry = this.#armExpiry();
  }
}
