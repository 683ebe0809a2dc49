import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineConnClient, EngineConnClientError, type TypedTaskEvent } from '@engineconn/client';
import type { Caller } from '@engineconn/core';
import { type LiveTestServer, startLiveServer } from '../../test-support/test-server.js';
import { eventsWsPlugin } from './events-ws.js';

const owner: Caller = { user: 'owner', admin: false };
const plain = (events: readonly TypedTaskEvent[]) => events.map(({ seq, event, data }) => ({ seq, event, data }));

function isClientError(code: string, status: number) {
  return (err: unknown) => {
    assert.ok(err instanceof EngineConnClientError, `expected EngineConnClientError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    return true;
  };
}

describe('@engineconn/client against a live EngineConn', () => {
  let server: LiveTestServer;
  let client: EngineConnClient;
  before(async () => {
    server = await startLiveServer({ plugins: [eventsWsPlugin] });
    client = new EngineConnClient({ url: server.url, token: server.ownerToken ?? undefined });
  });
  after(() => server.close());

  for (const transport of ['sse', 'ws'] as const) {
    test(`submit → events (${transport}) and done`, async () => {
      const task = await client.submit({ code: 'log 1200; rows 3', labels: { via: transport } }, { transport });
      const events: TypedTaskEvent[] = [];
      for await (const event of task.events) events.push(event);
      const info = await task.done;
      assert.equal(info.status, 'Succeed');
      assert.equal(info.labels.via, transport);
      const journal = await server.runtime.getTask(task.id, owner).journal.read(0, 1000);
      assert.deepEqual(plain(events), plain(journal as TypedTaskEvent[]));
    });
  }

  test('submit() is one request for a short task: done and its first pages come with the answer', async () => {
    const urls: string[] = [];
    const counting = new EngineConnClient({
      url: server.url,
      token: server.ownerToken ?? undefined,
      fetch: (input, init) => {
        urls.push(`${init.method} ${input.slice(server.url.length)}`);
        return fetch(input, init);
      },
    });
    const task = await counting.submit('rows 3; text hello');
    assert.equal(task.completed?.status, 'Succeed');
    const info = await task.done;
    assert.equal(info.status, 'Succeed');
    const chunks = [];
    for await (const chunk of task.results()) chunks.push(chunk);
    assert.deepEqual(
      chunks.map((c) => (c.kind === 'table' ? c.rows.length : c.kind === 'text' ? c.text : c.kind)),
      [3, 'hello'],
    );
    assert.deepEqual(urls, ['POST /api/v1/tasks?wait=1s']);
  });

  test('results() continues past the inline page; wait: 0 answers at once', async () => {
    const task = await client.submit('rows 1500');
    assert.equal(task.completed?.results[0]?.next, 1000);
    let rows = 0;
    for await (const chunk of task.results()) if (chunk.kind === 'table') rows += chunk.rows.length;
    assert.equal(rows, 1500);
    const later = await client.submit('sleep 10', { wait: 0 });
    assert.equal(later.completed, undefined);
    assert.equal((await later.done).status, 'Succeed');
  });

  test('done resolves on its own, without anyone reading events', async () => {
    const task = await client.submit('sleep 50; log 2', { wait: 0 });
    const info = await task.done;
    assert.equal(info.status, 'Succeed');
    assert.equal(info.logLines, 2);
  });

  test('logs() follows every line once and in order; follow: false reads what is there', async () => {
    const task = await client.submit('log 1500; sleep 80; log 1500');
    const lines: string[] = [];
    for await (const line of task.logs()) lines.push(line);
    const expected = [
      ...Array.from({ length: 1500 }, (_, i) => `line ${i}`),
      ...Array.from({ length: 1500 }, (_, i) => `line ${i}`),
    ];
    assert.deepEqual(lines, expected);
    const tail: string[] = [];
    for await (const line of task.logs({ from: 2998, follow: false })) tail.push(line);
    assert.deepEqual(tail, ['line 1498', 'line 1499']);
  });

  test('results() pages every result set; streamResult streams a whole set as CSV', async () => {
    const task = await client.submit('rows 2500; text hello; picture');
    const chunks = [];
    for await (const chunk of task.results({ pageSize: 1000 })) chunks.push(chunk);
    const pages = chunks.filter((c) => c.kind === 'table');
    assert.deepEqual(
      pages.map((p) => [p.offset, p.rows.length, p.next]),
      [
        [0, 1000, 1000],
        [1000, 1000, 2000],
        [2000, 500, null],
      ],
    );
    assert.deepEqual(pages[2]?.rows.at(-1), [2499, 'row 2499']);
    const text = chunks.find((c) => c.kind === 'text');
    assert.equal(text?.kind === 'text' && text.text, 'hello');
    const picture = chunks.find((c) => c.kind === 'binary');
    assert.ok(picture?.kind === 'binary');
    assert.equal(picture.mimeType, 'image/png');
    assert.deepEqual([...picture.bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
    let csv = '';
    for await (const part of client.streamResult(task.id, 0, 'csv')) csv += part;
    const rows = csv.trimEnd().split('\r\n');
    assert.equal(rows.length, 2501);
    assert.equal(rows[0], 'n,label');
    assert.equal(rows[2500], '2499,row 2499');
  });

  test('kill() stops a task: done resolves Cancelled', async () => {
    const task = await client.submit('sleep 60000');
    for await (const event of task.events) {
      if (event.event === 'status' && event.data.status === 'Running') break;
    }
    await task.kill();
    const info = await task.done;
    assert.equal(info.status, 'Cancelled');
    assert.equal(info.error?.code, 'EC_TASK_CANCELLED');
  });

  test('an eventSocket multiplexes tasks: "*" sees every new task of the caller', async () => {
    const socket = client.eventSocket();
    socket.subscribe('*');
    // Wait until the subscription is live: a task submitted before could be missed.
    const probe = await client.submit('sleep 100');
    socket.subscribe(probe.id);
    const ids = new Set<string>();
    const done = new Set<string>();
    for await (const item of socket) {
      assert.equal(item.type, 'event');
      if (item.type !== 'event') continue;
      if (item.taskId === probe.id && item.event === 'status' && item.data.status === 'Running' && ids.size === 0) {
        for (let i = 0; i < 3; i++) ids.add((await client.submit(`log ${i + 1}`)).id);
      }
      if (item.event === 'done') done.add(item.taskId);
      if ([...ids].every((id) => done.has(id)) && ids.size === 3) break;
    }
    assert.deepEqual([...ids].filter((id) => done.has(id)).length, 3);
  });

  test('info, tasks, task, lock/unlock and setHealth answer with their typed shapes', async () => {
    const info = await client.info();
    assert.equal(info.engineType, 'test');
    const tasks = await client.tasks();
    assert.ok(tasks.length > 0);
    assert.equal((await client.task(tasks[0]?.id ?? '')).id, tasks[0]?.id);
    const grant = await client.lock(60_000);
    assert.match(grant.lock, /\S/);
    await client.unlock(grant.lock);
    await assert.rejects(client.unlock(grant.lock), isClientError('EC_LOCK_NOT_FOUND', 404));
    assert.deepEqual(await client.setHealth('Healthy'), { health: 'Healthy', status: info.status });
  });

  test('errors carry the EC code and HTTP status, on HTTP and on both event transports', async () => {
    await assert.rejects(client.task('nope'), isClientError('EC_TASK_NOT_FOUND', 404));
    await assert.rejects(client.submit({ code: '' }), isClientError('EC_BAD_REQUEST', 400));
    for (const transport of ['sse', 'ws'] as const) {
      await assert.rejects(
        async () => {
          for await (const _ of client.events('nope', { transport })) assert.fail('no events expected');
        },
        isClientError('EC_TASK_NOT_FOUND', 404),
      );
    }
  });

  test('an AbortSignal cancels a call and an event stream', async () => {
    await assert.rejects(client.info({ signal: AbortSignal.abort(new Error('gave up')) }), /gave up/);
    const task = await client.submit('sleep 60000');
    for (const transport of ['sse', 'ws'] as const) {
      const controller = new AbortController();
      await assert.rejects(
        async () => {
          for await (const _ of client.events(task.id, { signal: controller.signal, transport })) {
            controller.abort(new Error(`stop ${transport}`));
          }
        },
        new RegExp(`stop ${transport}`),
      );
    }
    await task.kill();
    assert.equal((await task.done).status, 'Cancelled');
  });
});

describe('@engineconn/client with an auth file', () => {
  let server: LiveTestServer;
  before(async () => {
    server = await startLiveServer({
      plugins: [eventsWsPlugin],
      owner: 'alice',
      auth: { tokens: [{ token: 'secret', user: 'alice', admin: false }] },
    });
  });
  after(() => server.close());

  test('a missing or wrong token is EC_UNAUTHORIZED over HTTP and the WebSocket; the right one works', async () => {
    await assert.rejects(new EngineConnClient({ url: server.url }).info(), isClientError('EC_UNAUTHORIZED', 401));
    const wrong = new EngineConnClient({ url: server.url, token: 'nope' });
    await assert.rejects(
      async () => {
        for await (const _ of wrong.events('t', { transport: 'ws' })) assert.fail('no events expected');
      },
      isClientError('EC_UNAUTHORIZED', 401),
    );
    const alice = new EngineConnClient({ url: server.url, token: 'secret', transport: 'ws' });
    const task = await alice.submit('log 1');
    assert.equal((await task.done).owner, 'alice');
  });
});
