import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineConnClient, type TypedTaskEvent } from '@engineconn/client';
import type { Caller, TaskEvent } from '@engineconn/core';
import { openGate, TcpProxy, waitFor } from '@engineconn/testkit';
import { type LiveTestServer, startLiveServer } from '../../test-support/test-server.js';
import { WsProbe } from '../../test-support/ws-probe.js';
import { eventsWsPlugin } from './events-ws.js';

const owner: Caller = { user: 'owner', admin: false };

const plain = (events: readonly { seq?: number; event?: string; data?: unknown }[]) =>
  events.map(({ seq, event, data }) => ({ seq, event, data }));

/** Reads an SSE stream with plain fetch, independent of the SDK. */
async function readSse(url: string, token: string | null): Promise<TaskEvent[]> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('id: '))
    .map((block) => {
      const [id, event, data] = block.split('\n').map((line) => line.slice(line.indexOf(': ') + 2));
      return { seq: Number(id), event, data: JSON.parse(data as string) } as TaskEvent;
    });
}

describe('live task events', () => {
  let server: LiveTestServer;
  let proxy: TcpProxy;
  before(async () => {
    server = await startLiveServer({
      plugins: [eventsWsPlugin],
      concurrency: 64,
      options: { 'ec.queueLimit': '1000' },
    });
    proxy = await TcpProxy.start(server.url);
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  test('WebSocket and SSE deliver the same event sequence for a task', async () => {
    const task = server.runtime.submit({ code: 'log 1500; sleep 100; rows 20; log 3; text done; picture' }, owner);
    const probe = await WsProbe.open(server.url, { token: server.ownerToken });
    probe.send({ type: 'subscribe', taskId: task.id });
    const [sse, ws] = await Promise.all([
      readSse(`${server.url}/api/v1/tasks/${task.id}/events`, server.ownerToken),
      probe.untilDone(task.id),
    ]);
    probe.close();
    assert.ok(sse.length > 5);
    assert.deepEqual(plain(ws), plain(sse));
    assert.deepEqual(new Set(sse.map((e) => e.event)), new Set(['status', 'progress', 'log', 'resultSet', 'done']));
  });

  for (const transport of ['ws', 'sse'] as const) {
    test(`a ${transport} client dropped mid-task resumes with no gap and no duplicate`, async () => {
      // The task waits at a gate after each batch of lines; the test cuts the connection there and
      // only then opens the gate, so what follows is produced while the client is disconnected.
      const gates = [1, 2].map((n) => `${transport}-${n}-${Math.random().toString(36).slice(2)}`);
      const code = ['log 100', `gate ${gates[0]}`, 'log 100', `gate ${gates[1]}`, 'log 100'].join('; ');
      const task = server.runtime.submit({ code }, owner);
      const client = new EngineConnClient({
        url: proxy.url,
        token: server.ownerToken ?? undefined,
        retry: { minDelayMs: 5, maxDelayMs: 50 },
      });
      const got: TypedTaskEvent[] = [];
      let lines = 0;
      let cuts = 0;
      let passed = 0;
      const before = proxy.connections;
      for await (const event of client.events(task.id, { transport })) {
        got.push(event);
        if (event.event === 'log') lines += event.data.lines.length;
        const parked = gates[passed];
        if (parked !== undefined && lines === (passed + 1) * 100) {
          if (proxy.cutAll() > 0) cuts++;
          passed++;
          openGate(parked);
        }
      }
      const journal = await server.runtime.getTask(task.id, owner).journal.read(0, 10_000);
      assert.equal(cuts, 2, 'each cut found the stream open');
      assert.ok(
        proxy.connections - before >= 3,
        `the client reconnected after each cut: ${proxy.connections - before} connections, ${got.length} of ${journal.length} events`,
      );
      assert.deepEqual(plain(got), plain(journal));
    });
  }

  test('a raw WebSocket client that reconnects and resubscribes after its last seq misses nothing', async () => {
    // The task waits at a gate until the first client is gone, so the rest is produced between the
    // two connections however slowly the machine runs.
    const gate = `resubscribe-${Math.random().toString(36).slice(2)}`;
    const task = server.runtime.submit({ code: `log 200; gate ${gate}; log 200; log 200` }, owner);
    const first = await WsProbe.open(server.url, { token: server.ownerToken });
    first.send({ type: 'subscribe', taskId: task.id });
    await waitFor(() => first.events(task.id).length >= 4, { what: 'a few events' });
    first.close();
    const seen = first.events(task.id);
    openGate(gate);
    const second = await WsProbe.open(server.url, { token: server.ownerToken });
    second.send({ type: 'subscribe', taskId: task.id, after: seen.at(-1)?.seq });
    const rest = await second.untilDone(task.id);
    second.close();
    const journal = await server.runtime.getTask(task.id, owner).journal.read(0, 10_000);
    assert.deepEqual(plain([...seen, ...rest]), plain(journal));
  });

  test('200 concurrent WebSocket clients each following its own task all receive complete, ordered logs', async () => {
    const clients = 200;
    const lines = 600;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: clients }, async () => {
        const probe = await WsProbe.open(server.url, { token: server.ownerToken });
        const task = server.runtime.submit({ code: `log ${lines / 2}; sleep 20; log ${lines / 2}` }, owner);
        probe.send({ type: 'subscribe', taskId: task.id });
        const events = await probe.untilDone(task.id, 60_000);
        probe.close();
        return { id: task.id, events };
      }),
    );
    const elapsed = Date.now() - started;
    for (const { id, events } of results) {
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i + 1),
        `task ${id}: sequence numbers 1..n without gap`,
      );
      assert.ok(events.every((e) => e.taskId === id));
      const log = events
        .filter((e) => e.event === 'log')
        .flatMap((e) => {
          const data = e.data as { from: number; lines: string[] };
          return data.lines.map((line, i) => ({ n: data.from + i, line }));
        });
      assert.deepEqual(
        log.map((l) => l.n),
        Array.from({ length: lines }, (_, i) => i),
        `task ${id}: every log line once, in order`,
      );
      assert.equal(log[lines - 1]?.line, `line ${lines / 2 - 1}`);
      assert.equal(events.at(-1)?.event, 'done');
    }
    process.stdout.write(`# 200 WebSocket clients x ${lines} log lines: ${elapsed} ms\n`);
  });
});
