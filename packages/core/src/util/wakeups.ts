/** What an aborted wait resolves with: nothing changed, the waiter gave up. */
const NOW: Promise<void> = Promise.resolve();

/**
 * Waiters for the next change of something (a result set's next commit, a task's next set). A wait
 * given an AbortSignal takes itself out the moment the signal aborts: a reader that gave up (a caller
 * gone, a `?wait=` run out) leaves nothing behind until the next change, however long that takes.
 */
export class Wakeups {
  readonly #waiting = new Set<() => void>();

  /** Waits now registered: how a test sees that a wait that gave up left nothing behind. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Resolves at the next wakeAll(), or when `signal` aborts (at once if it already has). */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return NOW;
    return new Promise<void>((resolve) => {
      if (!signal) {
        this.#waiting.add(resolve);
        return;
      }
      const abort = () => {
        this.#waiting.delete(wake);
        resolve();
      };
      const wake = () => {
        signal.removeEventListener('abort', abort);
        resolve();
      };
      this.#waiting.add(wake);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** Wakes every waiter registered so far; those that register while they run wait for the next. */
  wakeAll(): void {
    if (this.#waiting.size === 0) return;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const wake of waiting) wake();
  }
}
