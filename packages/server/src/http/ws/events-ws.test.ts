import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Caller, TaskEvent } from '@engineconn/core';
import { waitFor } from '@engineconn/testkit';
import WebSocket from 'ws';
import { type LiveTestServer, startLiveServer } from '../../test-support/test-server.js';
import { WsProbe } from '../../test-support/ws-probe.js';
import { createEventsWsPlugin, eventsWsPlugin } from './events-ws.js';

const AUTH = {
  tokens: [
    { token: 'alice-token', user: 'alice', admin: false },
    { token: 'bob-token', user: 'bob', admin: false },
    { token: 'root-token', user: 'root', admin: true },
  ],
};
const alice: Caller = { user: 'alice', admin: false };
const bob: Caller = { user: 'bob', admin: false };
const root: Caller = { user: 'root', admin: true };

async function journalOf(server: LiveTestServer, id: string): Promise<TaskEvent[]> {
  const view = server.runtime.getTask(id, root);
  await view.finished;
  return view.journal.read(0, 100_000);
}

describe('GET /api/v1/events (WebSocket)', () => {
  let server: LiveTestServer;
  const probes: WsProbe[] = [];
  const open = async (token: string, how: 'header' | 'query' = 'header') => {
    const probe = await WsProbe.open(server.url, how === 'header' ? { token } : { queryToken: token });
    probes.push(probe);
    return probe;
  };

  before(async () => {
    server = await startLiveServer({ auth: AUTH, shareLevel: 'server', plugins: [eventsWsPlugin] });
  });
  after(async () => {
    for (const probe of probes) probe.close();
    await server.close();
  });

  test("a subscription delivers the task's events in order, exactly as its journal holds them", async () => {
    const probe = await open('alice-token');
    const task = server.runtime.submit({ code: 'log 2500; sleep 50; rows 3; text hi' }, alice);
    probe.send({ type: 'subscribe', taskId: task.id });
    const got = await probe.untilDone(task.id);
    const journal = await journalOf(server, task.id);
    assert.deepEqual(
      got.map(({ seq, event, data }) => ({ seq, event, data })),
      journal,
    );
    assert.deepEqual(
      got.map((m) => m.seq),
      journal.map((_, i) => i + 1),
    );
    assert.ok(got.every((m) => m.taskId === task.id));
    assert.equal(got.at(-1)?.event, 'done');
  });

  test('the token may come as ?token= (browsers), and a bad token is refused before the upgrade', async () => {
    const probe = await open('bob-token', 'query');
    const task = server.runtime.submit({ code: 'log 1' }, bob);
    probe.send({ type: 'subscribe', taskId: task.id });
    await probe.untilDone(task.id);
    const url = new URL('/api/v1/events?token=wrong', server.url.replace('http', 'ws'));
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('a bad token must not open a socket')));
      ws.on('error', () => {});
    });
    assert.equal(status, 401);
  });

  test('malformed messages get EC_BAD_REQUEST naming the problem, and the socket keeps working', async () => {
    const probe = await open('alice-token');
    const bad: unknown[] = [
      'not json',
      { type: 'subscribe' },
      { type: 'subscribe', taskId: 42 },
      { type: 'subscribe', taskId: 't', after: -1 },
      { type: 'subscribe', taskId: 't', after: 1.5 },
      { type: 'subscribe', taskId: 't', extra: true },
      { type: 'listen', taskId: 't' },
      [1, 2, 3],
    ];
    for (const message of bad) probe.send(message);
    probe.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(() => probe.errors().length === bad.length + 1, { what: 'one error per bad message' });
    const errors = probe.errors();
    assert.ok(errors.every((e) => e.code === 'EC_BAD_REQUEST'));
    assert.match(errors[0]?.message ?? '', /not valid JSON/);
    assert.match(errors[1]?.message ?? '', /'taskId' is required/);
    assert.match(errors[2]?.message ?? '', /'taskId' must be a string/);
    assert.match(errors[3]?.message ?? '', /'after' must be at least 0/);
    assert.match(errors[4]?.message ?? '', /'after' must be a whole number/);
    assert.match(errors[5]?.message ?? '', /unknown field 'extra'/);
    assert.match(errors[6]?.message ?? '', /"type": "subscribe" or "unsubscribe"/);
    assert.match(errors[8]?.message ?? '', /Binary messages/);
    assert.equal(probe.ws.readyState, WebSocket.OPEN);
    const task = server.runtime.submit({ code: 'log 1' }, alice);
    probe.send({ type: 'subscribe', taskId: task.id });
    await probe.untilDone(task.id);
  });

  test('an unknown or foreign task is EC_TASK_NOT_FOUND; an admin may follow anyone', async () => {
    const probe = await open('alice-token');
    const bobs = server.runtime.submit({ code: 'log 3' }, bob);
    probe.send({ type: 'subscribe', taskId: 'no-such-task' });
    probe.send({ type: 'subscribe', taskId: bobs.id });
    await probe.nextError(2);
    assert.deepEqual(
      probe.errors().map((e) => [e.code, e.taskId]),
      [
        ['EC_TASK_NOT_FOUND', 'no-such-task'],
        ['EC_TASK_NOT_FOUND', bobs.id],
      ],
    );
    const admin = await open('root-token');
    admin.send({ type: 'subscribe', taskId: bobs.id });
    assert.equal((await admin.untilDone(bobs.id)).at(-1)?.event, 'done');
    assert.equal(probe.events().length, 0);
  });

  test("'after' resumes after that seq; beyond the last event it is a clear error, not a silent wait", async () => {
    const task = server.runtime.submit({ code: 'log 5; log 5' }, alice);
    const journal = await journalOf(server, task.id);
    const probe = await open('alice-token');
    probe.send({ type: 'subscribe', taskId: task.id, after: 3 });
    const got = await probe.untilDone(task.id);
    assert.deepEqual(
      got.map((m) => m.seq),
      journal.slice(3).map((e) => e.seq),
    );
    probe.send({ type: 'subscribe', taskId: task.id, after: journal.length + 5 });
    const error = await probe.nextError();
    assert.equal(error.code, 'EC_BAD_REQUEST');
    assert.equal(error.taskId, task.id);
    assert.match(error.message ?? '', new RegExp(`beyond the last event .*seq ${journal.length}`));
  });

  test("'*' follows the caller's running and future tasks, not other users'", async () => {
    const running = server.runtime.submit({ code: 'sleep 200; log 2' }, alice);
    const probe = await open('alice-token');
    probe.send({ type: 'subscribe', taskId: '*' });
    await waitFor(() => probe.events(running.id).length > 0, { what: 'events of the running task' });
    const later = server.runtime.submit({ code: 'log 4' }, alice);
    const foreign = server.runtime.submit({ code: 'log 4' }, bob);
    await probe.untilDone(running.id);
    const got = await probe.untilDone(later.id);
    assert.deepEqual(
      got.map((m) => m.seq),
      (await journalOf(server, later.id)).map((e) => e.seq),
    );
    await journalOf(server, foreign.id);
    assert.equal(probe.events(foreign.id).length, 0);
  });

  test('unsubscribe stops a task’s events', async () => {
    const probe = await open('alice-token');
    const task = server.runtime.submit({ code: 'sleep 150; log 10' }, alice);
    probe.send({ type: 'subscribe', taskId: task.id });
    await waitFor(() => probe.events(task.id).length > 0, { what: 'first event' });
    probe.send({ type: 'unsubscribe', taskId: task.id });
    const before = probe.events(task.id).length;
    await journalOf(server, task.id);
    // A subscribe to another (finished) task after the unsubscribe: once its events arrived, any
    // event of the first task the server would still send has arrived too.
    const marker = server.runtime.submit({ code: 'log 1' }, alice);
    await journalOf(server, marker.id);
    probe.send({ type: 'subscribe', taskId: marker.id });
    await probe.untilDone(marker.id);
    assert.equal(probe.events(task.id).length, before);
    assert.ok(!probe.events(task.id).some((m) => m.event === 'done'));
  });
});

describe('slow consumers', () => {
  let server: LiveTestServer;
  const plugin = createEventsWsPlugin({ highWaterBytes: 64 * 1024, stallTimeoutMs: 300, closeGraceMs: 10_000 });
  before(async () => {
    server = await startLiveServer({ plugins: [plugin] });
  });
  after(async () => {
    await server.close();
  });

  test('a client that stops reading is cut off with EC_SLOW_CONSUMER and 4008, resumes without loss, and nobody else waits', async () => {
    const owner: Caller = { user: 'owner', admin: false };
    const task = server.runtime.submit({ code: 'log 400000; sleep 100; log 10' }, owner);
    const slow = await WsProbe.open(server.url, { token: server.ownerToken });
    const fast = await WsProbe.open(server.url, { token: server.ownerToken });
    // Paused before any data arrives, the client's receive buffer stays small (it grows only as it reads).
    slow.ws.pause();
    slow.send({ type: 'subscribe', taskId: task.id });
    fast.send({ type: 'subscribe', taskId: task.id });

    // The fast client gets everything while the slow one is stalled, and the EC keeps answering.
    const fastEvents = await fast.untilDone(task.id, 60_000);
    const journal = await journalOf(server, task.id);
    assert.equal(fastEvents.length, journal.length);
    const info = await server.fetch('/api/v1/engineconn');
    assert.equal(info.status, 200);

    await waitFor(() => plugin.stats.slowConsumers === 1, {
      timeoutMs: 30_000,
      what: 'the server to cut the slow client off',
    });
    slow.ws.resume();
    await waitFor(() => slow.closeCode !== null, { timeoutMs: 30_000, what: 'the slow socket to close' });
    assert.equal(slow.closeCode, 4008);
    const error = slow.errors().at(-1);
    assert.equal(error?.code, 'EC_SLOW_CONSUMER');
    assert.match(error?.message ?? '', /resubscribe .*after.* = the last seq you received/);

    // Resume from the last seq received: the union is the whole journal, with no gap or repeat.
    const received = slow.events(task.id);
    const last = received.at(-1)?.seq ?? 0;
    assert.ok(last < journal.length, 'the slow client had not received everything');
    const resumed = await WsProbe.open(server.url, { token: server.ownerToken });
    resumed.send({ type: 'subscribe', taskId: task.id, after: last });
    const rest = await resumed.untilDone(task.id, 60_000);
    assert.deepEqual(
      [...received, ...rest].map((m) => m.seq),
      journal.map((e) => e.seq),
    );
    for (const probe of [slow, fast, resumed]) probe.close();
  });
});
