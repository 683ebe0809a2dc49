import { byId } from './shared/dom.js';

/**
 * The selected task's progress bar. An engine that reports no progress (DuckDB on range() scans, a
 * shell command) would leave a frozen 0%: while such a task runs the bar is indeterminate instead,
 * with the time it has been running.
 */
export class ProgressView {
  readonly #bar = byId('task-progress', HTMLProgressElement);
  readonly #text = byId('task-progress-text', HTMLElement);
  /** Whether the engine reported any progress for this task. */
  #seen = false;
  /** When the task was first seen Running (ms since the epoch), 0 before. */
  #runningSince = 0;
  #finished = false;
  #elapsedTimer: ReturnType<typeof setInterval> | undefined;

  /** A newly selected task: nothing known yet. */
  reset(): void {
    this.#seen = false;
    this.#runningSince = 0;
    this.#finished = false;
    this.set(0);
  }

  /** The task started running. */
  running(): void {
    if (this.#runningSince) return;
    this.#runningSince = Date.now();
    this.set(0);
  }

  /** The task ended: full for a success, else where it stopped. */
  finish(succeeded: boolean): void {
    this.#finished = true;
    this.set(succeeded ? 1 : this.#bar.value || 0);
  }

  set(value: number): void {
    if (value > 0) this.#seen = true;
    if (!this.#seen && this.#runningSince && !this.#finished) {
      this.#showElapsed();
      return;
    }
    clearInterval(this.#elapsedTimer);
    this.#elapsedTimer = undefined;
    this.#bar.value = value;
    this.#text.textContent = `${Math.round(value * 100)}%`;
  }

  #showElapsed(): void {
    this.#bar.removeAttribute('value');
    const tick = () => {
      this.#text.textContent = `running ${Math.round((Date.now() - this.#runningSince) / 1000)}s`;
    };
    tick();
    this.#elapsedTimer ??= setInterval(tick, 1000);
  }
}
