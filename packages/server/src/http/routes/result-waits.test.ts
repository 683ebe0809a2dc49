import assert from 'node:assert/strict';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Caller, TaskView } from '@engineconn/core';
import { openDescriptors, openGate, waitFor } from '@engineconn/testkit';
import { type LiveTestServer, startLiveServer } from '../../test-support/test-server.js';
import { parseAuthConfig } from '../auth.js';

const AUTH = parseAuthConfig({
  tokens: [
    { token: 'tok-alice', user: 'alice' },
    { token: 'tok-bob', user: 'bob' },
  ],
});
const ALICE: Caller = { user: 'alice', admin: false };

/** A GET as alice on its own connection, answered as it streams: the test ends it by destroying it. */
function open(server: LiveTestServer, path: string): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { agent: false, headers: { authorization: 'Bearer tok-alice' } });
    req.once('response', (res) => resolve({ req, res }));
    req.once('error', reject);
    req.end();
  });
}

/** The same GET, left waiting for its answer (a `?wait=`); `gone` once its connection is closed. */
function waitingRequest(server: LiveTestServer, path: string) {
  const req = httpRequest(`${server.url}${path}`, { agent: false, headers: { authorization: 'Bearer tok-alice' } });
  const gone = new Promise<void>((resolve) => req.once('close', resolve));
  req.once('error', () => {});
  req.end();
  return { req, gone };
}

describe('result reads that wait, and callers who leave while they wait', () => {
  let server: LiveTestServer;
  let gateNo = 0;
  const gateName = () => `result-waits-${process.pid}-${gateNo++}`;
  before(async () => {
    server = await startLiveServer({ auth: AUTH, owner: 'owner', shareLevel: 'server' });
  });
  after(() => server.close());

  const view = (id: string): TaskView => server.runtime.getTask(id, ALICE);

  /** The stream's own handle on `file` is open until the caller leaves, and closes then, mid-task. */
  async function closesOnDisconnect(id: string, file: string, writerOnly: number, req: ClientRequest) {
    assert.equal(openDescriptors(file), writerOnly + 1, "the stream's handle, open while it waits for more");
    req.destroy();
    await waitFor(() => openDescriptors(file), { until: (n) => n === writerOnly, what: "the stream's handle closed" });
    assert.equal(view(id).info().status, 'Running', 'closed before the set changed again');
  }

  test("?wait= on another user's task is 404 at once, while the task is still held", { timeout: 30_000 }, async () => {
    const gate = gateName();
    const { id } = await server.submit(`gate ${gate}; rows 3`, 'tok-alice');
    try {
      await waitFor(() => view(id).info().status === 'Running');
      // A 60 s wait answered only once it ran out would outlast the test's deadline.
      for (const index of [0, 7]) {
        const res = await server.fetch(`/api/v1/tasks/${id}/results/${index}?wait=60s`, {
          headers: { authorization: 'Bearer tok-bob' },
        });
        assert.equal(res.status, 404);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'EC_TASK_NOT_FOUND');
      }
      assert.equal(view(id).info().status, 'Running', 'answered while the task is held at its gate');
      assert.equal(view(id).results.waiting, 0, "no wait was started on alice's task");
    } finally {
      openGate(gate);
    }
    assert.equal((await server.finished(id, 'tok-alice')).status, 'Succeed');
  });

  for (const [what, code, path] of [
    ['a set not opened yet', 'gate GATE; rows 3', 'results/0?wait=60s'],
    ['a set still open', 'open 5; gate GATE', 'results/0?offset=0&limit=100&wait=60s'],
  ] as const) {
    test(`a wait for ${what} ends when the caller disconnects: no waiter is left`, { timeout: 30_000 }, async () => {
      const gate = gateName();
      const { id } = await server.submit(code.replace('GATE', gate), 'tok-alice');
      try {
        if (code.startsWith('open')) await waitFor(() => view(id).results.get(0)?.rowCount === 5);
        const { req, gone } = waitingRequest(server, `/api/v1/tasks/${id}/${path}`);
        await waitFor(() => view(id).results.waiting, { until: (n) => n === 1, what: 'the server-side wait' });
        req.destroy();
        await gone;
        await waitFor(() => view(id).results.waiting, { until: (n) => n === 0, what: 'the wait gone' });
        assert.equal(view(id).info().status, 'Running', 'the wait ended before the task did');
      } finally {
        openGate(gate);
      }
      assert.equal((await server.finished(id, 'tok-alice')).status, 'Succeed');
    });
  }

  for (const format of ['csv', 'ndjson'] as const) {
    test(`a ${format} stream of a set still written closes its file when the caller disconnects`, {
      timeout: 60_000,
    }, async () => {
      const gate = gateName();
      // Past a set's memory (64 KiB): the set is in its file, which the engine still holds open.
      const rows = 20_000;
      const { id } = await server.submit(`open ${rows}; gate ${gate}`, 'tok-alice');
      try {
        await waitFor(() => view(id).results.get(0)?.rowCount === rows);
        const file = join(view(id).results.dir, 'result-0.jsonl');
        const writerOnly = openDescriptors(file);
        assert.equal(writerOnly, 1, "the set is in its file, the engine's handle open on it");
        const { req, res } = await open(server, `/api/v1/tasks/${id}/results/0?format=${format}`);
        assert.equal(res.statusCode, 200);
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        const last = format === 'csv' ? `\r\n${rows - 1}\r\n` : `{"n":${rows - 1}}\n`;
        await waitFor(() => body.endsWith(last), { what: 'every row written so far' });
        await closesOnDisconnect(id, file, writerOnly, req);
      } finally {
        openGate(gate);
      }
      assert.equal((await server.finished(id, 'tok-alice')).status, 'Succeed');
    });
  }

  test('a raw stream of a TEXT set still written closes its file when the caller disconnects', {
    timeout: 60_000,
  }, async () => {
    const gate = gateName();
    // 120,000 bytes: past a set's memory, so in its file, which the engine still holds open.
    const { id } = await server.submit(`opentext 20000; gate ${gate}`, 'tok-alice');
    try {
      await waitFor(() => view(id).results.get(0)?.byteCount === 120_000);
      const file = join(view(id).results.dir, 'result-0.bin');
      const writerOnly = openDescriptors(file);
      assert.equal(writerOnly, 1, "the set is in its file, the engine's handle open on it");
      const { req, res } = await open(server, `/api/v1/tasks/${id}/results/0?format=raw`);
      assert.equal(res.statusCode, 200);
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      await waitFor(() => bytes === 120_000, { what: 'every byte written so far' });
      await closesOnDisconnect(id, file, writerOnly, req);
    } finally {
      openGate(gate);
    }
    assert.equal((await server.finished(id, 'tok-alice')).status, 'Succeed');
  });
});
