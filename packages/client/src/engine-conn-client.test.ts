import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import type { TaskEvent } from '@engineconn/protocol';
import { waitFor } from '@engineconn/testkit';
import { EngineConnClient } from './engine-conn-client.js';
import { EngineConnClientError } from './errors/engine-conn-client-error.js';
import { backoffDelay, DEFAULT_RETRY } from './retry/backoff.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const servers: Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function fake(handler: Handler): Promise<string> {
  const { url, server } = await serve(handler);
  servers.push(server);
  return url;
}

/** A port nothing listens on: bind one, then close it. */
async function deadUrl(): Promise<string> {
  const { url, server } = await serve(() => {});
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

const sse = (events: TaskEvent[]) =>
  events.map((e) => `id: ${e.seq}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('');

const logEvent = (seq: number): TaskEvent => ({
  seq,
  event: 'log',
  data: { from: seq - 1, lines: [`line ${seq - 1}`] },
});

describe('EngineConnClient without a server', () => {
  // Any retry would first wait a minute of backoff: past the test's deadline, so the test fails.
  test('a refused connection is a clear EC_UNREACHABLE error, not retried', { timeout: 30_000 }, async () => {
    const url = await deadUrl();
    const client = new EngineConnClient({ url, retry: { retries: 5, minDelayMs: 60_000 } });
    await assert.rejects(client.info(), (err: unknown) => {
      assert.ok(err instanceof EngineConnClientError);
      assert.equal(err.code, 'EC_UNREACHABLE');
      assert.equal(err.status, 0);
      assert.equal(err.message, `no EngineConn at ${url}: start one with \`engineconn start\``);
      return true;
    });
  });

  test('the event stream of a dead URL fails the same way', async () => {
    const url = await deadUrl();
    const client = new EngineConnClient({ url });
    await assert.rejects(async () => {
      for await (const _ of client.events('t1')) assert.fail('no event expected');
    }, /no EngineConn at/);
  });

  test('full-jitter backoff stays within [0, min(max, min·2^attempt)]', () => {
    assert.equal(
      backoffDelay(0, DEFAULT_RETRY, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(3, DEFAULT_RETRY, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(20, DEFAULT_RETRY, () => 1),
      5000,
    );
    assert.equal(
      backoffDelay(5, DEFAULT_RETRY, () => 0),
      0,
    );
  });
});

describe('EngineConnClient against a scripted HTTP server', () => {
  test("a contract error body becomes EngineConnClientError with the server's code and status", async () => {
    const url = await fake((_req, res) => {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'EC_BUSY', message: 'The serial executor is running a task.' } }));
    });
    await assert.rejects(new EngineConnClient({ url }).submit('select 1'), (err: unknown) => {
      assert.ok(err instanceof EngineConnClientError);
      assert.deepEqual([err.code, err.status, err.message], ['EC_BUSY', 409, 'The serial executor is running a task.']);
      return true;
    });
  });

  test('reads are retried on 502/503/504 without an EC code; the submit is never retried', async () => {
    let gets = 0;
    let posts = 0;
    const url = await fake((req, res) => {
      if (req.method === 'POST') {
        posts++;
        res.writeHead(503).end('proxy says no');
        return;
      }
      gets++;
      if (gets < 3) {
        res.writeHead(502).end('bad gateway');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tasks: [] }));
    });
    const client = new EngineConnClient({ url, retry: { retries: 5, minDelayMs: 1, maxDelayMs: 5 } });
    assert.deepEqual(await client.tasks(), []);
    assert.equal(gets, 3);
    await assert.rejects(
      client.submit('x'),
      (err: unknown) => err instanceof EngineConnClientError && err.status === 503,
    );
    assert.equal(posts, 1);
  });

  test('an SSE stream that breaks mid-task resumes with Last-Event-ID: no gap, no duplicate', async () => {
    const seen: (string | undefined)[] = [];
    const all = [...Array.from({ length: 9 }, (_, i) => logEvent(i + 1))];
    all.push({ seq: 10, event: 'done', data: { status: 'Succeed', finishedAt: new Date().toISOString() } });
    const url = await fake((req, res) => {
      const last = req.headers['last-event-id'] as string | undefined;
      seen.push(last);
      const from = last ? Number(last) : 0;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (seen.length === 1) {
        // Events 1–4, then half of event 5, then the connection dies.
        res.write(sse(all.slice(0, 4)));
        res.write('id: 5\nevent: log\nda');
        setImmediate(() => res.socket?.destroy());
        return;
      }
      // The second connection replays one already-seen event first: the client must drop it.
      res.end(sse(all.slice(from - 1)));
    });
    const client = new EngineConnClient({ url, retry: { minDelayMs: 1, maxDelayMs: 5 } });
    const seqs: number[] = [];
    for await (const event of client.events('t1')) seqs.push(event.seq);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(seen, [undefined, '4']);
  });

  test('an aborted event stream rejects with the signal reason and closes the connection', async () => {
    let closed = false;
    const url = await fake((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse([logEvent(1)]));
      res.on('close', () => {
        closed = true;
      });
    });
    const controller = new AbortController();
    const client = new EngineConnClient({ url });
    await assert.rejects(async () => {
      for await (const _ of client.events('t1', { signal: controller.signal })) controller.abort(new Error('stop'));
    }, /stop/);
    await waitFor(() => closed, { what: 'the server to see the stream closed' });
  });
});
