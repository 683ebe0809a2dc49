import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Agent } from 'undici';
import { type RetryPolicy, retryAfterMs, trinoRequest } from './trino-http.js';

describe('Retry-After', () => {
  test('seconds and HTTP dates are read, bounded to 10 s; anything else is ignored', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    assert.equal(retryAfterMs('2', now), 2000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs('3600', now), 10_000);
    assert.equal(retryAfterMs('Tue, 01 Dec 2026 12:00:03 GMT', now), 3000);
    assert.equal(retryAfterMs('Tue, 01 Dec 2026 11:59:00 GMT', now), 0);
    assert.equal(retryAfterMs(null, now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs('-5', now), undefined);
  });
});

describe('trinoRequest retries', () => {
  /** A coordinator stand-in answering each request with the next scripted status (then 200). */
  async function coordinator(script: { status: number; retryAfter?: string }[]) {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/statement/q/1`;
    return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  /** A retry policy whose waits are recorded instead of slept, so the test reads them, not a clock. */
  function recordingPolicy() {
    const waits: number[] = [];
    const policy: RetryPolicy = {
      retryForMs: 60_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    };
    return { waits, policy };
  }

  test('a 429 with Retry-After waits exactly what the server asked, then asks again', async (t) => {
    const fake = await coordinator([{ status: 429, retryAfter: '1' }]);
    const agent = new Agent();
    t.after(async () => {
      await agent.close();
      await fake.close();
    });
    const { waits, policy } = recordingPolicy();
    const answer = await trinoRequest(fake.url, { method: 'GET', headers: {} }, policy, agent);
    assert.equal(answer.status, 200);
    assert.deepEqual(fake.seen, ['GET /v1/statement/q/1', 'GET /v1/statement/q/1']);
    assert.deepEqual(waits, [1000]);
  });

  test('a 503 without Retry-After backs off with a short, growing, jittered wait', async (t) => {
    const fake = await coordinator([{ status: 503 }, { status: 503 }, { status: 502 }]);
    const agent = new Agent();
    t.after(async () => {
      await agent.close();
      await fake.close();
    });
    const { waits, policy } = recordingPolicy();
    assert.equal((await trinoRequest(fake.url, { method: 'GET', headers: {} }, policy, agent)).status, 200);
    assert.equal(fake.seen.length, 4);
    // Equal jitter: between half and all of 50, 100, 200 ms.
    for (const [i, ceiling] of [50, 100, 200].entries()) {
      const wait = waits[i] ?? -1;
      assert.ok(
        wait >= ceiling / 2 && wait <= ceiling,
        `wait ${i} was ${wait} ms, expected ${ceiling / 2}..${ceiling}`,
      );
    }
  });
});
