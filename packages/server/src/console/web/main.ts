// The EngineConn console (served at `/`): the EngineConn's status, the caller's tasks, a code box,
// and the selected task live (logs, progress, results, kill), on the public API (docs/api.md) and the
// WebSocket like every other client.

import type { SubmitRequest } from '@engineconn/protocol';
import { createEngineConnApi } from './engineconn-api.js';
import { showEngineConn } from './engineconn-panel.js';
import { createApiClient, explain } from './shared/api-client.js';
import { Banner, byId } from './shared/dom.js';
import { bindTokenForm, readToken } from './shared/token-store.js';
import { TaskEventSocket } from './task-event-socket.js';
import { TaskList } from './task-list.js';
import { TaskView } from './task-view.js';

const POLL_MS = 2000;

let token = readToken();
const banner = new Banner(byId('banner', HTMLElement));
const showError = (err: unknown) => banner.show(explain(err, 'EngineConn'));
const api = createEngineConnApi(createApiClient(() => token));
const taskList = new TaskList(api, (taskId) => view.select(taskId));
const socket = new TaskEventSocket(() => token, {
  onEvent: (event) => view.onEvent(event),
  onError: (code, message) => banner.show(`${code}: ${message}`),
  onConnection: (open) => view.onConnection(open),
});
const view = new TaskView({ api, socket, taskList, onError: showError });

async function refreshInfo(): Promise<void> {
  try {
    showEngineConn(await api.info());
    banner.clear();
  } catch (err) {
    showError(err);
  }
}

async function submit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const code = byId('code', HTMLTextAreaElement).value;
  if (!code.trim()) return;
  const request: SubmitRequest = { code };
  const runType = byId('run-type', HTMLInputElement).value.trim();
  if (runType) request.runType = runType;
  const button = byId('submit-button', HTMLButtonElement);
  button.disabled = true;
  try {
    const task = await api.submit(request);
    banner.clear();
    view.select(task.id);
    void taskList.refresh();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

bindTokenForm(byId('token-form', HTMLFormElement), byId('token', HTMLInputElement), token, (next) => {
  token = next;
  socket.connect();
  void refreshInfo();
  void taskList.refresh();
});
byId('submit-form', HTMLFormElement).addEventListener('submit', (event) => void submit(event));
socket.connect();
void refreshInfo();
void taskList.refresh();
setInterval(() => void refreshInfo(), POLL_MS);
setInterval(() => void taskList.refresh(), POLL_MS);
