import { MultiBar, Presets } from 'cli-progress';
import { escapeControl, forTerminal } from './terminal-text.js';

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

class TtyDisplay implements ProgressDisplay {
  readonly #multi: MultiBar;
  readonly #bar;
  #status = 'Scheduled';

  constructor(stream: NodeJS.WriteStream, taskId: string) {
    this.#multi = new MultiBar(
      {
        stream,
        format: ` ${taskId} {bar} {percentage}% | {status}{statement}`,
        hideCursor: true,
        clearOnComplete: false,
        barsize: 30,
        fps: 10,
      },
      Presets.shades_classic,
    );
    this.#bar = this.#multi.create(100, 0, { status: this.#status, statement: '' });
  }

  status(status: string): void {
    this.#status = status;
    this.#bar.update({ status });
  }

  progress(value: number, statement?: { current: number; total: number }): void {
    const text =
      statement && statement.total > 1
        ? ` | statement ${Math.min(statement.current + 1, statement.total)}/${statement.total}`
        : '';
    this.#bar.update(Math.round(value * 100), { status: this.#status, statement: text });
  }

  log(lines: readonly string[]): void {
    if (lines.length > 0) this.#multi.log(`${lines.map(escapeControl).join('\n')}\n`);
  }

  stop(): void {
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
