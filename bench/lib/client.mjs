// A lean HTTP client for the bench: node:http over keep-alive connections, and an SSE reader.
// node:http costs the client less than half the CPU fetch does per request (measured: ~200-300 µs vs
// ~450-770 µs for a small GET), and the client shares
// the machine's cores with the EngineConn it measures.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });

/**
 * The owner token every EngineConn the bench starts is given (as ENGINECONN_TOKEN), so the bench's
 * requests authenticate as a real client's do.
 */
export const BENCH_TOKEN = `bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
export const AUTH = { authorization: `Bearer ${BENCH_TOKEN}` };

/** One request on a kept-alive connection; resolves with the status and the body (JSON parsed). */
export function call(base, method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${base}${path}`, {
      method,
      agent,
      headers:
        payload === undefined
          ? AUTH
          : { ...AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = text && String(res.headers['content-type']).includes('json') ? JSON.parse(text) : text;
        resolve({ status: res.statusCode, body: json });
      });
    });
    req.end(payload);
  });
}

export async function api(base, method, path, body) {
  const res = await call(base, method, path, body);
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

/** The response of a GET as a stream (SSE, CSV), on a kept-alive connection. */
export function stream(base, path) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent, headers: AUTH });
    req.once('error', reject);
    req.once('response', resolve);
    req.end();
  });
}

export const submit = (base, code, extra = {}) => api(base, 'POST', '/api/v1/tasks', { code, ...extra });

/**
 * A one-request task: submit with `?wait=` and get the ended task with its first result pages (200),
 * or `{id, status}` (202) when it outlived the wait.
 */
export async function submitAndWait(base, code, wait = '10s') {
  const res = await call(base, 'POST', `/api/v1/tasks?wait=${wait}`, { code });
  if (res.status !== 200 && res.status !== 202) {
    throw new Error(`POST /api/v1/tasks?wait=${wait}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  return res.body;
}

/**
 * Follows `GET /api/v1/tasks/:id/events` until `done`, calling `onEvent({seq, event, data, receivedAt})`
 * for each event; resolves with the `done` data.
 */
export async function followEvents(base, id, onEvent = () => {}, { after = 0 } = {}) {
  const res = await stream(base, `/api/v1/tasks/${id}/events?after=${after}`);
  if (res.statusCode !== 200) throw new Error(`events ${id}: ${res.statusCode}`);
  res.setEncoding('utf8');
  let buffer = '';
  let done = null;
  for await (const chunk of res) {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      if (block.startsWith(':')) continue;
      let seq = 0;
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) seq = Number(line.slice(4));
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data = line.slice(6);
      }
      const parsed = JSON.parse(data);
      onEvent({ seq, event, data: parsed, receivedAt: Date.now() });
      if (event === 'done') done = parsed;
    }
  }
  if (!done) throw new Error(`events ${id}: the stream ended without done`);
  return done;
}

/** Polls the task until it is terminal (for flows that do not stream). */
export async function pollDone(base, id, intervalMs = 20, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await api(base, 'GET', `/api/v1/tasks/${id}`);
    if (['Succeed', 'Failed', 'Cancelled', 'Timeout'].includes(info.status)) return info;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${info.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until `predicate()` is truthy, polling; throws past the deadline. */
export async function waitUntil(predicate, { timeoutMs = 30_000, intervalMs = 2, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Reads one sample of the Prometheus text, e.g. `nodejs_eventloop_lag_p99_seconds`. */
export async function scrape(base) {
  const text = (await call(base, 'GET', '/metrics')).body;
  return (name) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? null : Number(line.slice(name.length + 1));
  };
}
