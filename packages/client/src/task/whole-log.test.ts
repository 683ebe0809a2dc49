import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { TaskEvent } from '@engineconn/protocol';
import { EngineConnClient } from '../engine-conn-client.js';

// The wire is stood in by a plain HTTP server answering as an EngineConn does: a stream that
// skips log lines cannot be made on demand from a real one.

const LINES = Array.from({ length: 12 }, (_, i) => `line ${i}`);
/** Lines 0–1, then 5–7 (2–4 went past the stream), then 6–9 again overlapping, then done. */
const EVENTS: TaskEvent[] = [
  { seq: 1, event: 'status', data: { status: 'Running', at: '2026-01-01T00:00:00.000Z' } },
  { seq: 2, event: 'log', data: { from: 0, lines: LINES.slice(0, 2) } },
  { seq: 3, event: 'log', data: { from: 5, lines: LINES.slice(5, 8) } },
  { seq: 4, event: 'progress', data: { progress: 0.5, progressInfo: [] } },
  { seq: 5, event: 'log', data: { from: 6, lines: LINES.slice(6, 10) } },
  { seq: 6, event: 'done', data: { status: 'Succeed', finishedAt: '2026-01-01T00:00:01.000Z' } },
];

let server: Server;
let url: string;
const logReads: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.endsWith('/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(EVENTS.map((e) => `id: ${e.seq}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join(''));
      return;
    }
    if (url.pathname.endsWith('/logs')) {
      const from = Number(url.searchParams.get('from'));
      const limit = Number(url.searchParams.get('limit'));
      logReads.push(`${from}+${limit}`);
      const lines = LINES.slice(from, from + limit);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ lines, from, next: from + lines.length, complete: true }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const client = () => new EngineConnClient({ url, token: 't' });

describe('following a task log through the SDK', () => {
  test('follow() gives every line once, in order: a gap is read from the log, a repeat dropped', async () => {
    const ec = client();
    const seen: string[] = [];
    for await (const event of ec.handle('t-1').follow()) {
      if (event.event === 'log') seen.push(`log ${event.data.from}: ${event.data.lines.join(', ')}`);
      else seen.push(event.event);
    }
    assert.deepEqual(seen, [
      'status',
      'log 0: line 0, line 1',
      'log 2: line 2, line 3, line 4, line 5, line 6, line 7',
      'progress',
      'log 8: line 8, line 9',
      'done',
    ]);
    assert.deepEqual(logReads, ['2+3']);
  });

  test('followLogs() reads the same way, then what the log holds past the last batch', async () => {
    const ec = client();
    logReads.length = 0;
    const lines: string[] = [];
    for await (const line of ec.followLogs('t-1')) lines.push(line);
    assert.deepEqual(lines, LINES);
    assert.deepEqual(logReads, ['2+3', '10+1000', '12+1000']);
  });
});
