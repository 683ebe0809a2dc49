import type { TaskEventData } from '@engineconn/protocol';
import type { EngineConnApi } from './engineconn-api.js';
import { byId } from './shared/dom.js';

/** Keeps the page responsive on huge logs: the oldest batches leave the view (the API keeps them all). */
const MAX_LOG_LINES = 20_000;

/** The selected task's log, batch by batch as its `log` events arrive, with no gap and no line twice. */
export class LogView {
  readonly #api: EngineConnApi;
  readonly #isSelected: (taskId: string) => boolean;
  readonly #pre = byId('logs', HTMLPreElement);
  readonly #count = byId('log-count', HTMLElement);
  /** Lines of the task known so far: the next batch continues at this line number. */
  #lines = 0;
  #shownLines = 0;

  constructor(api: EngineConnApi, isSelected: (taskId: string) => boolean) {
    this.#api = api;
    this.#isSelected = isSelected;
  }

  reset(): void {
    this.#lines = 0;
    this.#shownLines = 0;
    this.#pre.replaceChildren();
    this.#count.textContent = '';
  }

  async onLog(taskId: string, { from, lines }: TaskEventData['log']): Promise<void> {
    if (from > this.#lines) {
      // A gap between batches (e.g. a capped journal): read the missing lines from the logs endpoint.
      const page = await this.#api.logs(taskId, this.#lines, from - this.#lines);
      if (!this.#isSelected(taskId)) return;
      this.#lines = page.from + page.lines.length;
      this.#append(page.lines);
    }
    const fresh = lines.slice(Math.max(0, this.#lines - from));
    this.#lines = Math.max(this.#lines, from + lines.length);
    this.#append(fresh);
  }

  #append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const pre = this.#pre;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(document.createTextNode(`${lines.join('\n')}\n`));
    this.#shownLines += lines.length;
    while (this.#shownLines > MAX_LOG_LINES && pre.firstChild) {
      this.#shownLines -= (pre.firstChild.textContent ?? '').split('\n').length - 1;
      pre.firstChild.remove();
    }
    this.#count.textContent = `(${this.#lines} lines)`;
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }
}
