// The EngineConnManager console (served at the manager's `/`): the caller's engines and jobs,
// polled, and a box to run a job, on the manager's public API (docs/manager.md) with the EngineConn
// console's token handling and style.

import { isTerminalTaskStatus } from '@engineconn/protocol/constants';
import { createApiClient, explain } from '../../../console/web/shared/api-client.js';
import { Banner, byId } from '../../../console/web/shared/dom.js';
import { bindTokenForm, readToken } from '../../../console/web/shared/token-store.js';
import { createManagerApi } from './manager-api.js';
import { showEngines, showJobs } from './manager-tables.js';

const POLL_MS = 2000;
/** How often the outcome line re-reads a submitted job until it ends. */
const JOB_POLL_MS = 250;

let token = readToken();
const banner = new Banner(byId('banner', HTMLElement));
const api = createManagerApi(createApiClient(() => token));
const outcome = byId('job-outcome', HTMLElement);

async function refresh(): Promise<void> {
  try {
    const [{ engines }, { jobs }] = await Promise.all([api.engines(), api.jobs()]);
    banner.clear();
    showEngines(engines);
    showJobs(jobs);
  } catch (err) {
    banner.show(explain(err, 'manager'));
  }
}

/** Runs a job and shows its outcome once it ends. */
async function submit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const code = byId('code', HTMLTextAreaElement).value.trim();
  if (!code) return;
  const button = byId('submit-button', HTMLButtonElement);
  button.disabled = true;
  try {
    const job = await api.submit({ engineType: byId('engine-type', HTMLInputElement).value, code });
    outcome.textContent = `Job ${job.id} on ${job.engineId}: ${job.status}`;
    await refresh();
    let info = await api.job(job.id);
    while (!isTerminalTaskStatus(info.status)) {
      await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
      info = await api.job(job.id);
    }
    const error = info.error ? ` (${info.error.code}: ${info.error.message})` : '';
    outcome.textContent = `Job ${job.id} on ${job.engineId}: ${info.status}${error}`;
    await refresh();
  } catch (err) {
    banner.show(explain(err, 'manager'));
  } finally {
    button.disabled = false;
  }
}

bindTokenForm(byId('token-form', HTMLFormElement), byId('token', HTMLInputElement), token, (next) => {
  token = next;
  void refresh();
});
byId('submit-form', HTMLFormElement).addEventListener('submit', (event) => void submit(event));
void refresh();
setInterval(() => void refresh(), POLL_MS);
