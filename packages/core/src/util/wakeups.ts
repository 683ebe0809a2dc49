/** What an aborted wait resolves with: nothing changed, the waiter gave up. */
const NOW: Promise<void> = Promise.resolve();

/**
 * Waiters for the next change of something (a result set's next commit, a task's next set, its
 * journal's next event). A wait given an AbortSignal takes itself out the moment the signal aborts:
 * a reader that gave up (a caller gone, a `?wait=` run out) leaves nothing behind until the next
 * change, however long that takes.
 */
export class Wakeups {
  // An array, not a Set: an empty array literal allocates no backing store, and every result set
  // (most never waited on) has one. A wait that gives up finds itself among the few waiting.
  #waiting: (() => void)[] = [];

  /** Waits now registered: how a test sees that a wait that gave up left nothing behind. */
  get size(): number {
    return this.#waiting.length;
  }

  /** Resolves at the next wakeAll(), or when `signal` aborts (at once if it already has). */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return NOW;
    return new Promise<void>((resolve) => {
      if (!signal) {
        this.#waiting.push(resolve);
        return;
      }
      const abort = () => {
        const at = this.#waiting.indexOf(wake);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve();
      };
      const wake = () => {
        signal.removeEventListener('abort', abort);
        resolve();
      };
      this.#waiting.push(wake);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** Wakes every waiter registered so far; those that register while they run wait for the next. */
  wakeAll(): void {
    const waiting = this.#waiting;
    if (waiting.length === 0) return;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}
