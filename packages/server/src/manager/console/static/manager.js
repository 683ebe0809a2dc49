// The EngineConnManager console: plain JavaScript on the manager's public API (DESIGN §11). It
// polls the engines and jobs; a job's live logs and results are the engine's, read through the
// manager's job routes.
import { ApiError, createApi, pill, readToken, storeToken } from '/console/api.js';

const POLL_MS = 2000;
const TERMINAL = new Set(['Succeed', 'Failed', 'Cancelled', 'Timeout']);

const $ = (id) => document.getElementById(id);
const state = { token: '' };
const api = createApi(() => state.token);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

function showBanner(message) {
  $('banner').textContent = message ?? '';
  $('banner').hidden = !message;
}

function explain(err) {
  if (err instanceof ApiError && err.code === 'EC_UNAUTHORIZED') {
    return `${err.message} Enter a token above (or open this page with ?token=…).`;
  }
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  return `Cannot reach the manager: ${err.message}`;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const value of cells) {
    const td = document.createElement('td');
    if (value instanceof Node) td.append(value);
    else td.textContent = String(value ?? '');
    tr.append(td);
  }
  return tr;
}

function statusPill(value, title) {
  const span = document.createElement('span');
  pill(span, value);
  if (title) span.title = title;
  return span;
}

async function refresh() {
  try {
    const [{ engines }, { jobs }] = await Promise.all([api('/api/v1/engines'), api('/api/v1/jobs')]);
    showBanner('');
    $('engine-table')
      .querySelector('tbody')
      .replaceChildren(
        ...engines.map((e) =>
          row([
            e.id,
            e.user,
            `${e.engineType} (${e.executor})`,
            statusPill(e.status, e.lostReason),
            statusPill(e.health),
            e.running,
            e.queued,
            time(e.lastHeartbeatAt),
          ]),
        ),
      );
    $('no-engines').hidden = engines.length > 0;
    $('job-table')
      .querySelector('tbody')
      .replaceChildren(
        ...jobs.map((j) => row([j.id, j.engineId, statusPill(j.status ?? 'Running'), time(j.createdAt)])),
      );
    $('no-jobs').hidden = jobs.length > 0;
  } catch (err) {
    showBanner(explain(err));
  }
}

async function submit(event) {
  event.preventDefault();
  const code = $('code').value.trim();
  if (!code) return;
  $('submit-button').disabled = true;
  try {
    const job = await api('/api/v1/jobs', { method: 'POST', body: { engineType: $('engine-type').value, code } });
    $('job-outcome').textContent = `Job ${job.id} on ${job.engineId}: ${job.status}`;
    await refresh();
    let info = await api(`/api/v1/jobs/${encodeURIComponent(job.id)}`);
    while (!TERMINAL.has(info.status)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      info = await api(`/api/v1/jobs/${encodeURIComponent(job.id)}`);
    }
    $('job-outcome').textContent =
      `Job ${job.id} on ${job.engineId}: ${info.status}${info.error ? ` (${info.error.code}: ${info.error.message})` : ''}`;
    await refresh();
  } catch (err) {
    showBanner(explain(err));
  } finally {
    $('submit-button').disabled = false;
  }
}

function start() {
  state.token = readToken();
  $('token').value = state.token;
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('token').value.trim();
    storeToken(state.token);
    void refresh();
  });
  $('submit-form').addEventListener('submit', submit);
  void refresh();
  setInterval(() => void refresh(), POLL_MS);
}

start();
