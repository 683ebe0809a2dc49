import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { parseSse } from '../test-support/sse-parse.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

describe('SSE task events', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ sseHeartbeatMs: 30 });
  });
  after(() => server.close());
  const auth = () => ({ authorization: `Bearer ${server.ownerToken}` });

  const events = (id: string, headers: Record<string, string> = {}, query = '') =>
    server.request({ method: 'GET', url: `/api/v1/tasks/${id}/events${query}`, headers });

  test('streams status, log, resultSet and done with increasing ids, then closes', async () => {
    const { id } = await server.submit('log 3; rows 2; text hi');
    const res = await events(id);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['x-accel-buffering'], 'no');
    const { events: got, rest } = parseSse(res.body);
    assert.equal(rest, '');
    const ids = got.map((e) => e.id);
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
      'ids run 1, 2, 3 … without gaps',
    );
    const names = new Set(got.map((e) => e.event));
    for (const name of ['status', 'log', 'resultSet', 'done']) assert.ok(names.has(name), `has ${name}`);
    assert.equal(got.at(-1)!.event, 'done');
    assert.equal((got.at(-1)!.data as { status: string }).status, 'Succeed');
    const logLines = got.filter((e) => e.event === 'log').flatMap((e) => (e.data as { lines: string[] }).lines);
    assert.deepEqual(
      logLines.filter((l) => l.startsWith('line ')),
      ['line 0', 'line 1', 'line 2'],
    );
  });

  test('Last-Event-ID and ?after= resume after that sequence number', async () => {
    const { id } = await server.submit('log 2; rows 1');
    const all = parseSse((await events(id)).body).events;
    assert.ok(all.length >= 4);
    const fromHeader = parseSse((await events(id, { 'last-event-id': '2' })).body).events;
    assert.deepEqual(fromHeader, all.slice(2));
    const fromQuery = parseSse((await events(id, {}, '?after=3')).body).events;
    assert.deepEqual(fromQuery, all.slice(3));
    // The header wins over the query, as EventSource sends it on reconnect to the original URL.
    const both = parseSse((await events(id, { 'last-event-id': '1' }, '?after=3')).body).events;
    assert.deepEqual(both, all.slice(1));
  });

  test('a bad Last-Event-ID or after is 400 EC_BAD_REQUEST before the stream starts', async () => {
    const { id } = await server.submit('select 1');
    for (const res of [await events(id, { 'last-event-id': 'abc' }), await events(id, {}, '?after=-1')]) {
      assert.equal(res.statusCode, 400);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'EC_BAD_REQUEST');
    }
  });

  test('over a real socket, a reader that falls behind still gets every event in order', async () => {
    const base = server.app.server.listening ? '' : await server.app.listen({ host: '127.0.0.1', port: 0 });
    const url = base || `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
    const { id } = await server.submit('log 60000; rows 1');
    const res = await fetch(`${url}/api/v1/tasks/${id}/events`, { headers: auth() });
    // Not reading until the task ends lets the socket fill, so the stream must wait for 'drain'.
    await server.finished(id);
    const text = await res.text();
    const got = parseSse(text).events;
    assert.deepEqual(
      got.map((e) => e.id),
      got.map((_, i) => i + 1),
    );
    const lines = got.filter((e) => e.event === 'log').flatMap((e) => (e.data as { lines: string[] }).lines);
    assert.equal(lines.filter((l) => l.startsWith('line ')).length, 60_000);
    assert.equal(got.at(-1)!.event, 'done');
  });

  test('over a real socket: heartbeats flow, and a disconnect stops the follow without harm', async () => {
    const base = server.app.server.listening
      ? `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`
      : await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { id } = await server.submit('sleep 30000');
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/tasks/${id}/events`, { signal: abort.signal, headers: auth() });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    await waitFor(
      async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return parseSse(text).comments.includes('ping');
      },
      { what: 'a heartbeat' },
    );
    assert.ok(parseSse(text).events.some((e) => e.event === 'status'));
    abort.abort();
    await reader.cancel().catch(() => {});
    // The EC still answers, and the task is unaffected by the dropped stream.
    const info = await fetch(`${base}/api/v1/tasks/${id}`, { headers: auth() }).then(
      (r) => r.json() as Promise<{ status: string }>,
    );
    assert.equal(info.status, 'Running');
    await fetch(`${base}/api/v1/tasks/${id}/kill`, { method: 'POST', headers: auth() });
    assert.equal((await server.finished(id)).status, 'Cancelled');
  });
});
