/**
 * Fires `onIdle` once the EngineConn has had nothing running or queued for `maxFreeTimeMs`. It is
 * re-armed on every activity, and it asks `isIdle()` again when the timer fires, so a task that is
 * running (or waiting) is never killed by idle release: the Linkis bug this guards against.
 */
export class IdleMonitor {
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly maxFreeTimeMs: number,
    private readonly isIdle: () => boolean,
    private readonly onIdle: () => void,
  ) {}

  /** Call on every activity (task start or end, lock change, request). */
  touch(): void {
    if (this.#closed || this.maxFreeTimeMs <= 0) return;
    if (this.#timer) this.#timer.refresh();
    else {
      this.#timer = setTimeout(() => this.#check(), this.maxFreeTimeMs);
      this.#timer.unref();
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #check(): void {
    this.#timer = null;
    if (this.#closed) return;
    if (this.isIdle()) {
      this.close();
      this.onIdle();
    } else {
      this.touch();
    }
  }
}
