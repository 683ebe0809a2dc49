// The EngineConn console: plain JavaScript on the public API (DESIGN §6). Live task events come over
// the WebSocket; after a drop it reconnects with jittered backoff and resubscribes after the last
// sequence number it saw, so nothing is shown twice or lost.

import { ApiError, createApi, pill, readToken, storeToken } from './api.js';

const POLL_MS = 2000;
const PAGE_SIZE = 50;
const MAX_LOG_LINES = 20000;

const $ = (id) => document.getElementById(id);

const state = {
  token: '',
  selected: null,
  lastSeq: 0,
  logCount: 0,
  shownLines: 0,
  finished: false,
  resultSets: [],
  resultIndex: null,
  offset: 0,
  ws: null,
  wsAttempt: 0,
  wsTimer: null,
  // Progress of the selected task: whether the engine reported any, and since when it runs.
  progressSeen: false,
  runningSince: 0,
  elapsedTimer: null,
};

const api = createApi(() => state.token);

function showBanner(message) {
  const banner = $('banner');
  banner.textContent = message ?? '';
  banner.hidden = !message;
}

function explain(err) {
  if (err instanceof ApiError && err.code === 'EC_UNAUTHORIZED') {
    return `${err.message} Enter a token above (or open this page with ?token=…).`;
  }
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  return `Cannot reach the EngineConn: ${err.message}`;
}

const bytes = (n) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : `${(n / (1 << 20)).toFixed(0)} MiB`);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

// ---- EngineConn info -------------------------------------------------------------------------

async function refreshInfo() {
  try {
    const info = await api('/api/v1/engineconn');
    showBanner('');
    $('ec-id').textContent = info.id;
    pill($('ec-status'), info.status);
    pill($('ec-health'), info.health);
    $('ec-engine').textContent = `${info.engineType} ${info.engineVersion}`;
    $('ec-executor').textContent = info.executor;
    $('ec-owner').textContent = info.owner;
    const c = info.concurrency;
    $('ec-load').textContent = `${c.running} running, ${c.queued} queued, limit ${c.limit}`;
    const o = info.overload;
    $('ec-memory').textContent =
      `${bytes(o.usedMemory)} of ${bytes(o.maxMemory)} (system free ${bytes(o.systemLeftMemory)})`;
    $('ec-cpu').textContent = `${Math.round(o.systemCpuUsed * 100)}%`;
    const labels = Object.entries(info.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    $('ec-labels').textContent = labels.join(', ') || '—';
    $('ec-started').textContent = new Date(info.startedAt).toLocaleString();
  } catch (err) {
    showBanner(explain(err));
  }
}

// ---- task list ----------------------------------------------------------------------------------

async function refreshTasks() {
  let tasks;
  let next;
  try {
    // One page: the list is polled, and an EngineConn may keep thousands of finished tasks.
    ({ tasks, next } = await api('/api/v1/tasks?limit=100'));
  } catch {
    return;
  }
  const body = $('task-table').querySelector('tbody');
  const rows = tasks.map((task) => {
    const tr = document.createElement('tr');
    tr.dataset.id = task.id;
    if (task.id === state.selected) tr.className = 'selected';
    const status = document.createElement('span');
    pill(status, task.status);
    const cells = [task.id, status, `${Math.round(task.progress * 100)}%`, task.runType, time(task.createdAt)];
    for (const value of cells) {
      const td = document.createElement('td');
      if (value instanceof Node) td.append(value);
      else td.textContent = value;
      tr.append(td);
    }
    tr.addEventListener('click', () => select(task.id));
    return tr;
  });
  body.replaceChildren(...rows);
  $('no-tasks').hidden = tasks.length > 0;
  $('more-tasks').hidden = next === null;
}

// ---- submit and kill ------------------------------------------------------------------------------

async function submit(event) {
  event.preventDefault();
  const code = $('code').value;
  if (!code.trim()) return;
  const request = { code };
  const runType = $('run-type').value.trim();
  if (runType) request.runType = runType;
  $('submit-button').disabled = true;
  try {
    const task = await api('/api/v1/tasks', { method: 'POST', body: request });
    showBanner('');
    select(task.id);
    refreshTasks();
  } catch (err) {
    showBanner(explain(err));
  } finally {
    $('submit-button').disabled = false;
  }
}

async function kill() {
  if (!state.selected) return;
  $('kill-button').disabled = true;
  try {
    await api(`/api/v1/tasks/${encodeURIComponent(state.selected)}/kill`, { method: 'POST' });
  } catch (err) {
    showBanner(explain(err));
    $('kill-button').disabled = state.finished;
  }
}

// ---- the selected task ---------------------------------------------------------------------------

function select(id) {
  if (state.selected && state.selected !== id) send({ type: 'unsubscribe', taskId: state.selected });
  Object.assign(state, {
    selected: id,
    lastSeq: 0,
    logCount: 0,
    shownLines: 0,
    finished: false,
    resultSets: [],
    resultIndex: null,
    offset: 0,
    progressSeen: false,
    runningSince: 0,
  });
  $('task').hidden = false;
  $('task-id').textContent = id;
  pill($('task-status'), '');
  setProgress(0);
  $('logs').replaceChildren();
  $('log-count').textContent = '';
  $('task-error').hidden = true;
  $('kill-button').disabled = false;
  $('result-tabs').replaceChildren();
  $('result-view').replaceChildren();
  $('result-pager').hidden = true;
  for (const tr of $('task-table').querySelectorAll('tbody tr')) {
    tr.classList.toggle('selected', tr.dataset.id === id);
  }
  showLive();
  send({ type: 'subscribe', taskId: id });
}

function setProgress(value) {
  if (value > 0) state.progressSeen = true;
  if (!state.progressSeen && state.runningSince && !state.finished) {
    showElapsed();
    return;
  }
  clearInterval(state.elapsedTimer);
  state.elapsedTimer = null;
  $('task-progress').value = value;
  $('task-progress-text').textContent = `${Math.round(value * 100)}%`;
}

/**
 * An engine that reports no progress (DuckDB on range() scans, a shell command) would leave a frozen
 * 0%: the bar is indeterminate instead, with the time the task has been running.
 */
function showElapsed() {
  $('task-progress').removeAttribute('value');
  const tick = () => {
    $('task-progress-text').textContent = `running ${Math.round((Date.now() - state.runningSince) / 1000)}s`;
  };
  tick();
  state.elapsedTimer ??= setInterval(tick, 1000);
}

/** "live" only while the selected task runs and its events arrive. */
function showLive() {
  const open = state.ws?.readyState === WebSocket.OPEN;
  $('task-live').textContent = open && state.selected && !state.finished ? 'live' : '';
}

function setStatus(status, error) {
  pill($('task-status'), status);
  if (error) {
    $('task-error').textContent = `${error.code}: ${error.message}`;
    $('task-error').hidden = false;
  }
}

function appendLogs(lines) {
  if (lines.length === 0) return;
  const pre = $('logs');
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.append(document.createTextNode(`${lines.join('\n')}\n`));
  state.shownLines += lines.length;
  // Keep the page responsive on huge logs: drop the oldest batches from view (the API keeps them all).
  while (state.shownLines > MAX_LOG_LINES && pre.firstChild) {
    state.shownLines -= pre.firstChild.textContent.split('\n').length - 1;
    pre.firstChild.remove();
  }
  $('log-count').textContent = `(${state.logCount} lines)`;
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

async function onLog(taskId, { from, lines }) {
  if (from > state.logCount) {
    // A gap between batches (e.g. a capped journal): read the missing lines from the logs endpoint.
    const page = await api(
      `/api/v1/tasks/${encodeURIComponent(taskId)}/logs?from=${state.logCount}&limit=${from - state.logCount}`,
    );
    if (taskId !== state.selected) return;
    state.logCount = page.from + page.lines.length;
    appendLogs(page.lines);
  }
  const fresh = lines.slice(Math.max(0, state.logCount - from));
  state.logCount = Math.max(state.logCount, from + lines.length);
  appendLogs(fresh);
}

let eventChain = Promise.resolve();

function onEvent(message) {
  // Events are handled one after another, so an awaited log gap fill cannot reorder them.
  eventChain = eventChain.then(() => handleEvent(message)).catch((err) => showBanner(explain(err)));
}

async function handleEvent({ taskId, seq, event, data }) {
  if (taskId !== state.selected || seq <= state.lastSeq) return;
  state.lastSeq = seq;
  switch (event) {
    case 'status':
      if (data.status === 'Running' && !state.runningSince) {
        state.runningSince = Date.now();
        setProgress(0);
      }
      setStatus(data.status, data.error);
      refreshTasks();
      break;
    case 'progress':
      setProgress(data.progress);
      break;
    case 'log':
      await onLog(taskId, data);
      break;
    case 'resultSet':
      await refreshResults();
      break;
    case 'done':
      state.finished = true;
      showLive();
      setStatus(data.status, data.error);
      setProgress(data.status === 'Succeed' ? 1 : $('task-progress').value || 0);
      $('kill-button').disabled = true;
      await refreshResults();
      refreshTasks();
      break;
    default:
      break;
  }
}

// ---- results -------------------------------------------------------------------------------------

async function refreshResults() {
  const id = state.selected;
  const { resultSets } = await api(`/api/v1/tasks/${encodeURIComponent(id)}/results`);
  if (id !== state.selected) return;
  state.resultSets = resultSets;
  const tabs = resultSets.map((set) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.index = String(set.index);
    const size = set.type === 'TABLE' ? `${set.rowCount} rows` : set.type;
    button.textContent = `#${set.index} ${size}`;
    button.addEventListener('click', () => showResult(set.index, 0));
    return button;
  });
  $('result-tabs').replaceChildren(...tabs);
  if (resultSets.length === 0) {
    const none = document.createElement('p');
    none.className = 'muted';
    none.textContent = state.finished ? 'No result sets.' : 'No result sets yet.';
    $('result-view').replaceChildren(none);
  }
  if (state.resultIndex === null && resultSets.length > 0) await showResult(resultSets[0].index, 0);
  else if (state.resultIndex !== null) await showResult(state.resultIndex, state.offset);
}

async function showResult(index, offset) {
  const id = state.selected;
  const set = state.resultSets.find((s) => s.index === index);
  if (!set) return;
  state.resultIndex = index;
  state.offset = offset;
  for (const button of $('result-tabs').children) {
    button.classList.toggle('active', button.dataset.index === String(index));
  }
  const base = `/api/v1/tasks/${encodeURIComponent(id)}/results/${index}`;
  const view = $('result-view');
  $('result-pager').hidden = set.type !== 'TABLE';
  if (set.type === 'TABLE') {
    const page = await api(`${base}?offset=${offset}&limit=${PAGE_SIZE}`);
    if (id !== state.selected) return;
    view.replaceChildren(renderTable(page.columns, page.rows));
    const last = offset + page.rows.length;
    $('page-info').textContent =
      set.rowCount === 0 ? 'no rows' : `rows ${offset + 1}–${last} of ${set.rowCount}${set.complete ? '' : '+'}`;
    $('prev-page').disabled = offset === 0;
    $('next-page').disabled = last >= set.rowCount && set.complete;
  } else if (set.type === 'PICTURE') {
    const response = await api(base, { raw: true });
    const img = document.createElement('img');
    img.alt = `result set ${index}`;
    img.src = URL.createObjectURL(await response.blob());
    view.replaceChildren(img);
  } else {
    // The first page (at most 1 MiB): a huge text is never loaded whole into the page.
    const { text, next } = await api(base);
    if (id !== state.selected) return;
    const more = document.createElement('p');
    more.className = 'muted';
    more.textContent =
      next === null
        ? ''
        : `Showing the first ${next} of ${set.byteCount} bytes; the whole set: engineconn results ${id} --index ${index}`;
    if (set.type === 'HTML') {
      // The engine's HTML runs in a sandbox: no scripts, no access to this page or its token.
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', '');
      frame.srcdoc = text;
      view.replaceChildren(frame, more);
    } else {
      const pre = document.createElement('pre');
      pre.textContent = text;
      view.replaceChildren(pre, more);
    }
  }
}

function renderTable(columns, rows) {
  const table = document.createElement('table');
  table.className = 'result';
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement('th');
    th.textContent = column.name;
    th.title = column.type;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((value, i) => {
      const td = tr.insertCell();
      td.textContent = value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value);
      if (typeof value === 'number' || /INT|DOUBLE|DECIMAL|FLOAT|NUMERIC|REAL/i.test(columns[i]?.type ?? '')) {
        td.className = 'num';
      }
    });
  }
  return table;
}

// ---- the event socket ----------------------------------------------------------------------------

function send(message) {
  if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

function connect() {
  clearTimeout(state.wsTimer);
  const url = new URL('/api/v1/events', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (state.token) url.searchParams.set('token', state.token);
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.onopen = () => {
    state.wsAttempt = 0;
    showLive();
    if (state.selected && !state.finished) {
      ws.send(JSON.stringify({ type: 'subscribe', taskId: state.selected, after: state.lastSeq }));
    }
  };
  ws.onmessage = (message) => {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    if (data.type === 'event') onEvent(data);
    else if (data.type === 'error' && data.code !== 'EC_SLOW_CONSUMER') showBanner(`${data.code}: ${data.message}`);
  };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    $('task-live').textContent = 'reconnecting…';
    // Full-jitter backoff so many consoles do not return at once after an outage.
    const delay = Math.random() * Math.min(10000, 250 * 2 ** state.wsAttempt++);
    state.wsTimer = setTimeout(connect, delay);
  };
}

function useToken(token) {
  state.token = token;
  storeToken(token);
  const old = state.ws;
  state.ws = null;
  old?.close();
  connect();
  refreshInfo();
  refreshTasks();
}

function start() {
  state.token = readToken();
  $('token').value = state.token;
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    useToken($('token').value.trim());
  });
  $('submit-form').addEventListener('submit', submit);
  $('kill-button').addEventListener('click', kill);
  $('prev-page').addEventListener('click', () => showResult(state.resultIndex, Math.max(0, state.offset - PAGE_SIZE)));
  $('next-page').addEventListener('click', () => showResult(state.resultIndex, state.offset + PAGE_SIZE));
  connect();
  refreshInfo();
  refreshTasks();
  setInterval(refreshInfo, POLL_MS);
  setInterval(refreshTasks, POLL_MS);
}

start();
