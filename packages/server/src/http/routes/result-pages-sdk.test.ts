import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineConnClient, EngineConnClientError } from '@engineconn/client';
import { MAX_PAGE_LIMIT } from '@engineconn/protocol';
import { openGate } from '@engineconn/testkit';
import { type LiveTestServer, startLiveServer } from '../../test-support/test-server.js';

/** A page request the client made: its offset and the signal that would abort it. */
interface PageRequest {
  offset: number;
  signal: AbortSignal | null;
}

describe("the SDK's resultPages against a live EngineConn", () => {
  let server: LiveTestServer;
  before(async () => {
    server = await startLiveServer();
  });
  after(() => server.close());

  /** A client whose every result page request is recorded as it is made. */
  function recordingClient(requests: PageRequest[]): EngineConnClient {
    return new EngineConnClient({
      url: server.url,
      token: server.ownerToken ?? undefined,
      fetch: (input, init) => {
        const url = new URL(input);
        if (/\/results\/\d+$/.test(url.pathname)) {
          requests.push({ offset: Number(url.searchParams.get('offset')), signal: init.signal ?? null });
        }
        return fetch(input, init);
      },
    });
  }

  test('after a full page, asks for the next before the caller has this one; every row once, in order', async () => {
    const requests: PageRequest[] = [];
    const client = recordingClient(requests);
    const task = await client.submit('rows 2500', { wait: '10s' });
    assert.equal(task.completed?.status, 'Succeed');
    const seen: number[] = [];
    const askedWhenYielded: number[][] = [];
    for await (const page of client.resultPages(task.id, 0, { pageSize: 1000 })) {
      askedWhenYielded.push(requests.map((r) => r.offset));
      for (const row of page.rows) seen.push(row[0] as number);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 2500 }, (_, i) => i),
    );
    // The first page is asked for alone (a set of one page costs one request); from the second on,
    // each page is in the caller's hands while the next one is already asked for.
    assert.deepEqual(askedWhenYielded, [[0], [0, 1000, 2000], [0, 1000, 2000, 3000]]);
    // The request past the last page is cancelled, not left in flight.
    assert.equal(requests.at(-1)?.signal?.aborted, true);
  });

  test('a walk left early cancels the page it asked for ahead', async () => {
    const requests: PageRequest[] = [];
    const client = recordingClient(requests);
    const task = await client.submit('rows 5000', { wait: '10s' });
    assert.equal(task.completed?.status, 'Succeed');
    for await (const page of client.resultPages(task.id, 0, { pageSize: 1000, offset: 1000 })) {
      if (page.offset === 2000) break;
    }
    assert.deepEqual(
      requests.map((r) => r.offset),
      [1000, 2000, 3000],
    );
    assert.equal(requests[2]?.signal?.aborted, true);
  });

  test('a set of one page is one request', async () => {
    const requests: PageRequest[] = [];
    const client = recordingClient(requests);
    const task = await client.submit('rows 700', { wait: '10s' });
    assert.equal(task.completed?.status, 'Succeed');
    let rows = 0;
    for await (const page of client.resultPages(task.id, 0, { pageSize: 1000 })) rows += page.rows.length;
    assert.equal(rows, 700);
    assert.deepEqual(
      requests.map((r) => r.offset),
      [0],
    );
  });

  test('with wait, the walk follows a set the task has not opened yet, to its end', async () => {
    const client = recordingClient([]);
    const gate = `follow-${process.pid}-unopened`;
    const task = await client.submit(`gate ${gate}; rows 2500`, { wait: 0 });
    await assert.rejects(
      client.resultPage(task.id, 0),
      (err) => err instanceof EngineConnClientError && err.code === 'EC_RESULT_NOT_FOUND',
      'no set yet: a page without wait answers at once',
    );
    const walk = (async () => {
      const seen: number[] = [];
      for await (const page of client.resultPages(task.id, 0, { pageSize: 1000, wait: '30s' })) {
        for (const row of page.rows) seen.push(row[0] as number);
      }
      return seen;
    })();
    openGate(gate);
    assert.deepEqual(
      await walk,
      Array.from({ length: 2500 }, (_, i) => i),
    );
    assert.equal((await task.done).status, 'Succeed');
  });

  test('with wait, a page of a set still open waits for its rows or the set to close', async () => {
    const client = recordingClient([]);
    const gate = `follow-${process.pid}-open`;
    const task = await client.submit(`open 1500; gate ${gate}`, { wait: 0 });
    const pages: { rows: number; next: number | null }[] = [];
    for await (const page of client.resultPages(task.id, 0, { pageSize: 1000, wait: '30s' })) {
      pages.push({ rows: page.rows.length, next: page.next });
      // The page after this one cannot fill: it is answered once the task ends and closes the set.
      if (pages.length === 1) openGate(gate);
    }
    assert.deepEqual(pages, [
      { rows: 1000, next: 1000 },
      { rows: 500, next: null },
    ]);
    assert.equal((await task.done).status, 'Succeed');
  });

  test('with wait, a page limit past the most a TABLE page holds is EC_BAD_REQUEST at once, not after the wait', {
    timeout: 30_000,
  }, async () => {
    const gate = `follow-${process.pid}-limit`;
    const task = await server.submit(`gate ${gate}; rows 3`);
    try {
      // The set does not exist yet and the task is held at its gate: a wait of 60 s answered only
      // after the wait ran out would outlast the test's deadline.
      const res = await server.fetch(`/api/v1/tasks/${task.id}/results/0?limit=${MAX_PAGE_LIMIT + 1}&wait=60s`);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'EC_BAD_REQUEST');
    } finally {
      openGate(gate);
    }
    assert.equal((await server.finished(task.id)).status, 'Succeed');
  });

  test('a wait that is not a duration is EC_BAD_REQUEST', async () => {
    const client = recordingClient([]);
    const task = await client.submit('rows 3', { wait: '10s' });
    await assert.rejects(
      client.resultPage(task.id, 0, { wait: 'soon' }),
      (err) => err instanceof EngineConnClientError && err.code === 'EC_BAD_REQUEST' && err.status === 400,
    );
  });
});
