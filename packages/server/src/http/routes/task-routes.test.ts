import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

function errorOf(res: { statusCode: number; json(): unknown }): { status: number; code: string; message: string } {
  const body = res.json() as { error: { code: string; message: string } };
  return { status: res.statusCode, code: body.error.code, message: body.error.message };
}

describe('task routes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ bodyLimit: 1024 * 1024 });
  });
  after(() => server.close());

  test('submit answers 202 {id, status} with a Location, and the task runs to Succeed', async () => {
    const res = await server.request({ method: 'POST', url: '/api/v1/tasks', payload: { code: 'select 42' } });
    assert.equal(res.statusCode, 202);
    const body = res.json<{ id: string; status: string }>();
    assert.deepEqual(Object.keys(body).sort(), ['id', 'status']);
    assert.ok(['Scheduled', 'Running'].includes(body.status));
    assert.equal(res.headers.location, `/api/v1/tasks/${body.id}`);
    const info = await server.finished(body.id);
    assert.equal(info.status, 'Succeed');
    assert.equal(info.owner, 'owner');
    assert.equal(info.resultSets.length, 1);
    for (const key of ['progress', 'progressInfo', 'statements', 'createdAt', 'startedAt', 'finishedAt']) {
      assert.ok(key in info, `task info has ${key}`);
    }
  });

  test('submit accepts runType, properties and labels', async () => {
    const { id } = await server.submit('select 1', undefined, {
      runType: 'sql',
      properties: { timeout: '10s' },
      labels: { team: 'data' },
    });
    const info = await server.finished(id);
    assert.equal(info.status, 'Succeed');
    assert.equal(info.runType, 'sql');
    assert.deepEqual(info.labels.team, 'data');
  });

  test('an unknown runType is 400 EC_BAD_REQUEST', async () => {
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/tasks',
      payload: { code: 'x', runType: 'cobol' },
    });
    assert.equal(errorOf(res).code, 'EC_BAD_REQUEST');
    assert.equal(res.statusCode, 400);
  });

  test('GET /api/v1/tasks lists the caller’s tasks, newest first', async () => {
    const first = await server.submit('select 1');
    const second = await server.submit('select 2');
    const res = await server.request({ method: 'GET', url: '/api/v1/tasks' });
    assert.equal(res.statusCode, 200);
    const ids = res.json<{ tasks: { id: string }[] }>().tasks.map((t) => t.id);
    assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id));
  });

  test('GET /api/v1/tasks is paged: ?limit&after walk every task once, ?status filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { id } = await server.submit(`select ${i}`);
      await server.finished(id);
      ids.unshift(id);
    }
    const running = await server.submit('sleep 30000');
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/tasks?limit=3${after ? `&after=${after}` : ''}&status=Succeed`;
      const res = await server.request({ method: 'GET', url });
      assert.equal(res.statusCode, 200);
      const page = res.json<{ tasks: { id: string; status: string }[]; next: string | null }>();
      assert.ok(page.tasks.length <= 3);
      assert.ok(page.tasks.every((t) => t.status === 'Succeed'));
      seen.push(...page.tasks.map((t) => t.id));
      after = page.next;
      pages++;
    } while (after !== null);
    assert.deepEqual(seen.slice(0, 7), ids, 'newest first, each once');
    assert.ok(!seen.includes(running.id));
    assert.ok(pages >= 3);
    const first = (await server.request({ method: 'GET', url: '/api/v1/tasks?limit=1' })).json<{
      tasks: { id: string }[];
      next: string | null;
    }>();
    assert.deepEqual([first.tasks.map((t) => t.id), first.next], [[running.id], running.id]);
    for (const url of [
      '/api/v1/tasks?limit=0',
      '/api/v1/tasks?limit=1001',
      '/api/v1/tasks?status=Done',
      '/api/v1/tasks?after=nope',
    ]) {
      const bad = errorOf(await server.request({ method: 'GET', url }));
      assert.deepEqual([bad.status, bad.code], [400, 'EC_BAD_REQUEST'], url);
    }
    await server.request({ method: 'POST', url: `/api/v1/tasks/${running.id}/kill` });
    await server.finished(running.id);
  });

  test('logs page with from/limit and report completeness', async () => {
    const { id } = await server.submit('log 25');
    await server.finished(id);
    const all = (await server.request({ method: 'GET', url: `/api/v1/tasks/${id}/logs` })).json<{
      lines: string[];
      from: number;
      next: number;
      complete: boolean;
    }>();
    assert.ok(all.lines.includes('line 0') && all.lines.includes('line 24'));
    assert.equal(all.from, 0);
    assert.equal(all.complete, true);
    const at = all.lines.indexOf('line 10');
    const page = (await server.request({ method: 'GET', url: `/api/v1/tasks/${id}/logs?from=${at}&limit=5` })).json<{
      lines: string[];
      from: number;
      next: number;
    }>();
    assert.deepEqual(page.lines, ['line 10', 'line 11', 'line 12', 'line 13', 'line 14']);
    assert.equal(page.from, at);
    assert.equal(page.next, at + 5);
  });

  for (const [query, field] of [
    ['limit=0', 'limit'],
    ['limit=10001', 'limit'],
    ['from=-1', 'from'],
    ['from=abc', 'from'],
    ['limit=1.5', 'limit'],
  ] as const) {
    test(`logs with ${query} is 400 naming '${field}'`, async () => {
      const { id } = await server.submit('select 1');
      const res = await server.request({ method: 'GET', url: `/api/v1/tasks/${id}/logs?${query}` });
      const err = errorOf(res);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'EC_BAD_REQUEST');
      assert.match(err.message, new RegExp(`'${field}'`));
    });
  }

  test('kill answers 202 and the task ends Cancelled', async () => {
    const { id } = await server.submit('sleep 30000');
    await waitFor(
      async () =>
        (await server.request({ method: 'GET', url: `/api/v1/tasks/${id}` })).json<{ status: string }>().status ===
        'Running',
    );
    const res = await server.request({ method: 'POST', url: `/api/v1/tasks/${id}/kill` });
    assert.equal(res.statusCode, 202);
    assert.equal(res.json<{ id: string }>().id, id);
    assert.equal((await server.finished(id)).status, 'Cancelled');
    // Killing a finished task is a no-op, not an error.
    const again = await server.request({
      method: 'POST',
      url: `/api/v1/tasks/${id}/kill`,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(again.statusCode, 202);
    assert.equal(again.json<{ status: string }>().status, 'Cancelled');
  });

  test('unknown task ids are 404 EC_TASK_NOT_FOUND on every task route', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/tasks/nope'],
      ['GET', '/api/v1/tasks/nope/logs'],
      ['GET', '/api/v1/tasks/nope/results'],
      ['GET', '/api/v1/tasks/nope/results/0'],
      ['GET', '/api/v1/tasks/nope/events'],
      ['POST', '/api/v1/tasks/nope/kill'],
    ] as const) {
      const err = errorOf(await server.request({ method, url }));
      assert.deepEqual([err.status, err.code], [404, 'EC_TASK_NOT_FOUND'], `${method} ${url}`);
    }
  });

  test('an unknown route is 404 EC_NOT_FOUND', async () => {
    const err = errorOf(await server.request({ method: 'GET', url: '/api/v2/nothing' }));
    assert.deepEqual([err.status, err.code], [404, 'EC_NOT_FOUND']);
  });
});

describe('submit rejects bad input with the contract errors', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const post = (payload: string | object | Buffer, contentType = 'application/json') =>
    server.request({ method: 'POST', url: '/api/v1/tasks', payload, headers: { 'content-type': contentType } });

  test('malformed JSON is 400 EC_BAD_REQUEST saying the body is not valid JSON', async () => {
    const err = errorOf(await post('{"code": "select 1"'));
    assert.deepEqual([err.status, err.code], [400, 'EC_BAD_REQUEST']);
    assert.match(err.message, /not valid JSON/);
  });

  test('a __proto__ key is refused, not merged', async () => {
    const err = errorOf(await post('{"code": "x", "__proto__": {"admin": true}}'));
    assert.deepEqual([err.status, err.code], [400, 'EC_BAD_REQUEST']);
  });

  const cases: [string, unknown, RegExp][] = [
    ['no body', '', /JSON object body is required/],
    ['a missing code', { lock: 'l' }, /'code' is required/],
    ['an empty code', { code: '' }, /'code' must not be empty/],
    ['a numeric code', { code: 42 }, /'code' must be a string/],
    ['a numeric lock', { code: 'x', lock: 1 }, /'lock' must be a string/],
    ['a string runType of wrong type', { code: 'x', runType: ['sql'] }, /'runType' must be a string/],
    ['properties that are not an object', { code: 'x', properties: 'fast' }, /'properties' must be an object/],
    ['labels with a non-string value', { code: 'x', labels: { a: 1 } }, /'labels\.a' must be a string/],
    ['an unknown field', { code: 'x', lcok: 'l' }, /unknown field 'lcok'/],
    ['an array body', [{ code: 'x' }], /must be a JSON object/],
    ['a JSON string body', '"select 1"', /must be a JSON object/],
  ];
  for (const [what, payload, message] of cases) {
    test(`${what} is 400 EC_BAD_REQUEST naming the field`, async () => {
      const err = errorOf(await post(typeof payload === 'string' ? payload : JSON.stringify(payload)));
      assert.deepEqual([err.status, err.code], [400, 'EC_BAD_REQUEST']);
      assert.match(err.message, message);
    });
  }

  test('a text/plain body is 415 EC_UNSUPPORTED_MEDIA_TYPE', async () => {
    const err = errorOf(await post('select 1', 'text/plain'));
    assert.deepEqual([err.status, err.code], [415, 'EC_UNSUPPORTED_MEDIA_TYPE']);
  });

  test('an unsupported media type is 415 EC_UNSUPPORTED_MEDIA_TYPE', async () => {
    const err = errorOf(await post('<code>select 1</code>', 'application/xml'));
    assert.deepEqual([err.status, err.code], [415, 'EC_UNSUPPORTED_MEDIA_TYPE']);
  });

  test('a body over the limit is 413 EC_PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ code: 'x'.repeat(20 * 1024 * 1024) });
    const err = errorOf(await post(big));
    assert.deepEqual([err.status, err.code], [413, 'EC_PAYLOAD_TOO_LARGE']);
    // The EC keeps serving.
    assert.equal((await post({ code: 'select 1' })).statusCode, 202);
  });
});
