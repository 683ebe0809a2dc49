import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Caller } from '@engineconn/core';
import { waitFor } from '@engineconn/testkit';
import { type LiveTestServer, startLiveServer } from '../test-support/test-server.js';

// SSE holds to the WebSocket's bound (docs/api.md#task-events): a client that stops reading is cut off with
// EC_SLOW_CONSUMER, and a resume point past the end is refused, not waited on.

describe('SSE slow consumers and resume points', () => {
  let server: LiveTestServer;
  let cutOff = 0;
  const owner: Caller = { user: 'owner', admin: false };
  before(async () => {
    server = await startLiveServer({
      sse: {
        slowConsumer: { highWaterBytes: 64 * 1024, stallTimeoutMs: 300, closeGraceMs: 30_000 },
        onSlowConsumer: () => {
          cutOff++;
        },
      },
    });
  });
  after(() => server.close());

  test('a client that stops reading is cut off with EC_SLOW_CONSUMER once it reads again', async () => {
    const task = server.runtime.submit({ code: 'log 400000; sleep 100; log 10' }, owner);
    const port = Number(new URL(server.url).port);
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    // Paused before any data arrives, the receive buffer stays small.
    socket.pause();
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.write(
      `GET /api/v1/tasks/${task.id}/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${server.ownerToken}\r\n\r\n`,
    );
    await waitFor(() => cutOff === 1, { timeoutMs: 60_000, what: 'the server to cut the stalled stream off' });
    socket.resume();
    await ended;
    const text = Buffer.concat(chunks).toString('utf8');
    assert.match(text, /event: error\ndata: \{"code":"EC_SLOW_CONSUMER","message":"[^"]*Last-Event-ID/);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const journal = server.runtime.getTask(task.id, owner).journal.lastSeq;
    assert.ok(ids.length > 0 && (ids.at(-1) ?? 0) < journal, 'cut off before the end, resumable from the last id');
    assert.ok(!text.includes('event: done'));
  });

  test('a resume point past the last event is 400 EC_BAD_REQUEST, as on the WebSocket', async () => {
    const task = server.runtime.submit({ code: 'log 1' }, owner);
    await server.runtime.getTask(task.id, owner).finished;
    for (const headers of [{}, { 'last-event-id': '9999' }] as Record<string, string>[]) {
      const query = 'last-event-id' in headers ? '' : '?after=9999';
      const res = await server.fetch(`/api/v1/tasks/${task.id}/events${query}`, { headers });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'EC_BAD_REQUEST');
      assert.match(body.error.message, /beyond the last event/);
    }
  });
});
