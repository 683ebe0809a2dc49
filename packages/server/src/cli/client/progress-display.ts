import { MultiBar, Presets } from 'cli-progress';
import { escapeControl, forTerminal } from '../output/terminal-text.js';

/** How `submit` shows a running task on stderr. */
export interface ProgressDisplay {
  status(status: string): void;
  progress(value: number, statement?: { current: number; total: number }): void;
  log(lines: readonly string[]): void;
  stop(): void;
}

/**
 * On a terminal: a live bar, with log lines printed above it. Otherwise (a pipe, a CI log): plain
 * lines, one per status change and one per whole-percent progress step, so a log file stays readable.
 */
export function createProgressDisplay(stream: NodeJS.WriteStream, taskId: string): ProgressDisplay {
  return stream.isTTY ? new TtyDisplay(stream, taskId) : new PlainDisplay(stream, taskId);
}

/** How far the indeterminate bar moves per frame, out of 100. */
const SWEEP_STEP = 4;

/**
 * A live bar on a terminal. While the task runs and the engine has reported no progress (DuckDB on a
 * range() scan, a shell command), the bar sweeps and shows the elapsed time instead of a frozen 0%.
 */
class TtyDisplay implements ProgressDisplay {
  readonly #multi: MultiBar;
  readonly #bar;
  #status = 'Scheduled';
  #statement = '';
  #progressSeen = false;
  #runningSince = 0;
  #sweep = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(stream: NodeJS.WriteStream, taskId: string) {
    this.#multi = new MultiBar(
      {
        stream,
        format: ` ${taskId} {bar} {shown} | {status}{statement}`,
        hideCursor: true,
        clearOnComplete: false,
        barsize: 30,
        fps: 10,
      },
      Presets.shades_classic,
    );
    this.#bar = this.#multi.create(100, 0, { status: this.#status, statement: '', shown: '  0%' });
  }

  status(status: string): void {
    this.#status = status;
    if (status === 'Running' && !this.#runningSince) {
      this.#runningSince = Date.now();
      if (!this.#progressSeen) this.#startSweep();
    } else if (status !== 'Running') this.#stopSweep();
    this.#bar.update({ status });
  }

  progress(value: number, statement?: { current: number; total: number }): void {
    this.#statement =
      statement && statement.total > 1
        ? ` | statement ${Math.min(statement.current + 1, statement.total)}/${statement.total}`
        : '';
    if (value > 0 && !this.#progressSeen) {
      this.#progressSeen = true;
      this.#stopSweep();
    }
    if (this.#timer) {
      this.#bar.update({ status: this.#status, statement: this.#statement });
      return;
    }
    const percent = Math.round(value * 100);
    this.#bar.update(percent, { status: this.#status, statement: this.#statement, shown: `${percent}%`.padStart(4) });
  }

  #startSweep(): void {
    const frame = () => {
      this.#sweep = (this.#sweep + SWEEP_STEP) % 200;
      // Forth and back across the bar.
      const at = this.#sweep <= 100 ? this.#sweep : 200 - this.#sweep;
      const elapsed = Math.floor((Date.now() - this.#runningSince) / 1000);
      this.#bar.update(at, { status: this.#status, statement: this.#statement, shown: `${elapsed}s` });
    };
    frame();
    this.#timer = setInterval(frame, 100);
    this.#timer.unref();
  }

  #stopSweep(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  log(lines: readonly string[]): void {
    if (lines.length > 0) this.#multi.log(`${lines.map(escapeControl).join('\n')}\n`);
  }

  stop(): void {
    this.#stopSweep();
    this.#multi.stop();
  }
}

class PlainDisplay implements ProgressDisplay {
  #percent = -1;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly taskId: string,
  ) {}

  status(status: string): void {
    this.stream.write(`[${this.taskId}] ${status}\n`);
  }

  progress(value: number): void {
    const percent = Math.floor(value * 100);
    if (percent === this.#percent) return;
    this.#percent = percent;
    this.stream.write(`[${this.taskId}] progress ${percent}%\n`);
  }

  log(lines: readonly string[]): void {
    if (lines.length > 0) this.stream.write(`${lines.map((l) => forTerminal(this.stream, l)).join('\n')}\n`);
  }

  stop(): void {}
}
