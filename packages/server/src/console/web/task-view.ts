import type { ErrorBody, TaskStatus, WsEventMessage } from '@engineconn/protocol';
import type { EngineConnApi } from './engineconn-api.js';
import { LogView } from './log-view.js';
import { ProgressView } from './progress-view.js';
import { ResultsView } from './results-view.js';
import { byId, pill } from './shared/dom.js';
import type { TaskEventSocket } from './task-event-socket.js';
import type { TaskList } from './task-list.js';

export interface TaskViewOptions {
  api: EngineConnApi;
  socket: TaskEventSocket;
  taskList: TaskList;
  /** Shows a failed call in the banner. */
  onError: (err: unknown) => void;
}

/**
 * The selected task, live: status, progress, logs and results follow its events over the socket;
 * the kill button kills it.
 */
export class TaskView {
  readonly #api: EngineConnApi;
  readonly #socket: TaskEventSocket;
  readonly #taskList: TaskList;
  readonly #onError: (err: unknown) => void;
  readonly #progress = new ProgressView();
  readonly #logs: LogView;
  readonly #results: ResultsView;
  readonly #status = byId('task-status', HTMLElement);
  readonly #error = byId('task-error', HTMLElement);
  readonly #live = byId('task-live', HTMLElement);
  readonly #kill = byId('kill-button', HTMLButtonElement);
  #selected: string | null = null;
  #finished = false;
  /** Events are handled one after another, so an awaited log gap fill cannot reorder them. */
  #events: Promise<void> = Promise.resolve();

  constructor(options: TaskViewOptions) {
    this.#api = options.api;
    this.#socket = options.socket;
    this.#taskList = options.taskList;
    this.#onError = options.onError;
    this.#logs = new LogView(this.#api, (taskId) => taskId === this.#selected);
    this.#results = new ResultsView(this.#api, this.#onError);
    this.#kill.addEventListener('click', () => void this.#killSelected());
  }

  select(taskId: string): void {
    this.#selected = taskId;
    this.#finished = false;
    byId('task', HTMLElement).hidden = false;
    byId('task-id', HTMLElement).textContent = taskId;
    pill(this.#status, '');
    this.#progress.reset();
    this.#logs.reset();
    this.#error.hidden = true;
    this.#kill.disabled = false;
    this.#results.reset(taskId);
    this.#taskList.highlight(taskId);
    this.#socket.follow(taskId);
    this.#showLive();
  }

  /** An event of the followed task, from the socket. */
  onEvent(event: WsEventMessage): void {
    this.#events = this.#events.then(() => this.#handle(event)).catch(this.#onError);
  }

  /** The socket opened, or dropped and is reconnecting. */
  onConnection(open: boolean): void {
    if (open) this.#showLive();
    else this.#live.textContent = 'reconnecting…';
  }

  async #handle(event: WsEventMessage): Promise<void> {
    if (event.taskId !== this.#selected) return;
    switch (event.event) {
      case 'status':
        if (event.data.status === 'Running') this.#progress.running();
        this.#showStatus(event.data.status, event.data.error);
        void this.#taskList.refresh();
        break;
      case 'progress':
        this.#progress.set(event.data.progress);
        break;
      case 'log':
        await this.#logs.onLog(event.taskId, event.data);
        break;
      case 'resultSet':
        await this.#results.refresh(this.#finished);
        break;
      case 'done':
        this.#finished = true;
        this.#showLive();
        this.#showStatus(event.data.status, event.data.error);
        this.#progress.finish(event.data.status === 'Succeed');
        this.#kill.disabled = true;
        await this.#results.refresh(true);
        void this.#taskList.refresh();
        break;
    }
  }

  #showStatus(status: TaskStatus, error: ErrorBody | undefined): void {
    pill(this.#status, status);
    if (error) {
      this.#error.textContent = `${error.code}: ${error.message}`;
      this.#error.hidden = false;
    }
  }

  /** "live" only while the selected task runs and its events arrive. */
  #showLive(): void {
    this.#live.textContent = this.#socket.open && this.#selected && !this.#finished ? 'live' : '';
  }

  async #killSelected(): Promise<void> {
    const taskId = this.#selected;
    if (!taskId) return;
    this.#kill.disabled = true;
    try {
      await this.#api.kill(taskId);
    } catch (err) {
      this.#onError(err);
      this.#kill.disabled = this.#finished;
    }
  }
}
