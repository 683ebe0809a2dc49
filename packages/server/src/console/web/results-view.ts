import type { ResultSetMeta } from '@engineconn/protocol';
import type { EngineConnApi } from './engineconn-api.js';
import { renderTable } from './results-table.js';
import { byId } from './shared/dom.js';

const PAGE_SIZE = 50;

/**
 * The selected task's result sets: a tab each; TABLE sets page through 50 rows at a time, TEXT and
 * HTML show their first page, PICTURE an image. The engine's HTML runs in a sandboxed frame.
 */
export class ResultsView {
  readonly #api: EngineConnApi;
  readonly #onError: (err: unknown) => void;
  readonly #tabs = byId('result-tabs', HTMLElement);
  readonly #view = byId('result-view', HTMLElement);
  readonly #pager = byId('result-pager', HTMLElement);
  readonly #prev = byId('prev-page', HTMLButtonElement);
  readonly #next = byId('next-page', HTMLButtonElement);
  #taskId: string | null = null;
  #sets: ResultSetMeta[] = [];
  #index: number | null = null;
  #offset = 0;

  constructor(api: EngineConnApi, onError: (err: unknown) => void) {
    this.#api = api;
    this.#onError = onError;
    this.#prev.addEventListener('click', () => this.#page(Math.max(0, this.#offset - PAGE_SIZE)));
    this.#next.addEventListener('click', () => this.#page(this.#offset + PAGE_SIZE));
  }

  /** A newly selected task: no sets shown until its events say there are. */
  reset(taskId: string): void {
    this.#taskId = taskId;
    this.#sets = [];
    this.#index = null;
    this.#offset = 0;
    this.#tabs.replaceChildren();
    this.#view.replaceChildren();
    this.#pager.hidden = true;
  }

  /** Reloads the list of sets (a set was added, or the task ended) and the page shown. */
  async refresh(finished: boolean): Promise<void> {
    const taskId = this.#taskId;
    if (taskId === null) return;
    const { resultSets } = await this.#api.results(taskId);
    if (taskId !== this.#taskId) return;
    this.#sets = resultSets;
    this.#tabs.replaceChildren(
      ...resultSets.map((set) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.index = String(set.index);
        button.textContent = `#${set.index} ${set.type === 'TABLE' ? `${set.rowCount} rows` : set.type}`;
        button.addEventListener('click', () => this.#show(set.index, 0).catch(this.#onError));
        return button;
      }),
    );
    const first = resultSets[0];
    if (first === undefined) {
      const none = document.createElement('p');
      none.className = 'muted';
      none.textContent = finished ? 'No result sets.' : 'No result sets yet.';
      this.#view.replaceChildren(none);
    } else if (this.#index === null) await this.#show(first.index, 0);
    else await this.#show(this.#index, this.#offset);
  }

  #page(offset: number): void {
    if (this.#index !== null) this.#show(this.#index, offset).catch(this.#onError);
  }

  async #show(index: number, offset: number): Promise<void> {
    const taskId = this.#taskId;
    const set = this.#sets.find((s) => s.index === index);
    if (taskId === null || !set) return;
    this.#index = index;
    this.#offset = offset;
    for (const button of this.#tabs.querySelectorAll('button')) {
      button.classList.toggle('active', button.dataset.index === String(index));
    }
    this.#pager.hidden = set.type !== 'TABLE';
    let content: Node[];
    if (set.type === 'TABLE') {
      const page = await this.#api.rows(taskId, index, offset, PAGE_SIZE);
      if (taskId !== this.#taskId) return;
      content = [renderTable(page.columns, page.rows)];
      const last = offset + page.rows.length;
      byId('page-info', HTMLElement).textContent =
        set.rowCount === 0 ? 'no rows' : `rows ${offset + 1}–${last} of ${set.rowCount}${set.complete ? '' : '+'}`;
      this.#prev.disabled = offset === 0;
      this.#next.disabled = last >= set.rowCount && set.complete;
    } else if (set.type === 'PICTURE') {
      const img = document.createElement('img');
      img.alt = `result set ${index}`;
      const picture = await this.#api.picture(taskId, index);
      if (taskId !== this.#taskId) return;
      img.src = URL.createObjectURL(picture);
      content = [img];
    } else {
      const { text, next } = await this.#api.text(taskId, index);
      if (taskId !== this.#taskId) return;
      content = [set.type === 'HTML' ? sandboxedFrame(text) : preformatted(text), truncationNote(taskId, set, next)];
    }
    this.#view.replaceChildren(...content);
  }
}

/** The engine's HTML in a sandbox: no scripts, no access to this page or its token. */
function sandboxedFrame(html: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', '');
  frame.srcdoc = html;
  return frame;
}

function preformatted(text: string): HTMLPreElement {
  const pre = document.createElement('pre');
  pre.textContent = text;
  return pre;
}

/** Says that only the first page is shown, and how to read the whole set. */
function truncationNote(taskId: string, set: ResultSetMeta, next: number | null): HTMLParagraphElement {
  const more = document.createElement('p');
  more.className = 'muted';
  more.textContent =
    next === null
      ? ''
      : `Showing the first ${next} of ${set.byteCount} bytes; the whole set: engineconn results ${taskId} --index ${set.index}`;
  return more;
}
