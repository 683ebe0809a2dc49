import type { EngineConnApi } from './engineconn-api.js';
import { byId, clockTime, statusPill, tableRow } from './shared/dom.js';

/** One page only: the list is polled, and an EngineConn may keep thousands of finished tasks. */
const LIST_LIMIT = 100;

/** The task table: the caller's newest tasks, polled; a click selects one. */
export class TaskList {
  readonly #api: EngineConnApi;
  readonly #onSelect: (taskId: string) => void;
  readonly #body: HTMLTableSectionElement;
  #selected: string | null = null;

  constructor(api: EngineConnApi, onSelect: (taskId: string) => void) {
    this.#api = api;
    this.#onSelect = onSelect;
    const body = byId('task-table', HTMLTableElement).tBodies[0];
    if (!body) throw new Error('The console page has no task table body: reload the page.');
    this.#body = body;
  }

  /** Reloads the list; a failure leaves the last list shown (the EngineConn card reports it). */
  async refresh(): Promise<void> {
    let page: Awaited<ReturnType<EngineConnApi['tasks']>>;
    try {
      page = await this.#api.tasks(LIST_LIMIT);
    } catch {
      return;
    }
    const rows = page.tasks.map((task) => {
      const tr = tableRow([
        task.id,
        statusPill(task.status),
        `${Math.round(task.progress * 100)}%`,
        task.runType,
        clockTime(task.createdAt),
      ]);
      tr.dataset.id = task.id;
      if (task.id === this.#selected) tr.className = 'selected';
      tr.addEventListener('click', () => this.#onSelect(task.id));
      return tr;
    });
    this.#body.replaceChildren(...rows);
    byId('no-tasks', HTMLElement).hidden = page.tasks.length > 0;
    byId('more-tasks', HTMLElement).hidden = page.next === null;
  }

  /** Marks the selected task's row. */
  highlight(taskId: string): void {
    this.#selected = taskId;
    for (const tr of this.#body.rows) tr.classList.toggle('selected', tr.dataset.id === taskId);
  }
}
