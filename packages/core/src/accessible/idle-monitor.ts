import { type LongTimer, setLongTimeout } from '../util/long-timer.js';

/**
 * Fires `onIdle` once the EngineConn has had nothing running or queued for `maxFreeTimeMs`. It is
 * re-armed on every activity, and it asks `isIdle()` again when the timer fires, so a task that is
 * running (or waiting) is never killed by idle release: the Linkis bug this guards against.
 */
export class IdleMonitor {
  #timer: LongTimer | null = null;
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
    else this.#timer = setLongTimeout(() => this.#check(), this.maxFreeTimeMs);
  }

  close(): void {
    this.#closed = true;
    this.#timer?.clear();
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
