import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

const codeOf = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;

describe('lock routes on the serial executor', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ executor: 'serial' });
  });
  after(() => server.close());

  const post = (url: string, payload?: object) => server.request({ method: 'POST', url, payload });

  test('a lock admits only its holder’s tasks until it is released', async () => {
    const taken = await post('/api/v1/locks', { timeoutMs: 60_000 });
    assert.equal(taken.statusCode, 200);
    const { lock, expiresAt } = taken.json<{ lock: string; expiresAt: string }>();
    assert.ok(lock.length > 0);
    assert.ok(Date.parse(expiresAt) > Date.now());
    assert.equal(server.runtime.status, 'Idle');

    const second = await post('/api/v1/locks');
    assert.deepEqual([second.statusCode, codeOf(second)], [409, 'EC_BUSY']);

    const without = await post('/api/v1/tasks', { code: 'select 1' });
    assert.deepEqual([without.statusCode, codeOf(without)], [423, 'EC_LOCK_INVALID']);
    const foreign = await post('/api/v1/tasks', { code: 'select 1', lock: 'not-the-lock' });
    assert.deepEqual([foreign.statusCode, codeOf(foreign)], [423, 'EC_LOCK_INVALID']);

    const withLock = await post('/api/v1/tasks', { code: 'select 1', lock });
    assert.equal(withLock.statusCode, 202);
    assert.equal((await server.finished(withLock.json<{ id: string }>().id)).status, 'Succeed');

    const released = await server.request({ method: 'DELETE', url: `/api/v1/locks/${lock}` });
    assert.deepEqual([released.statusCode, released.json()], [200, { unlocked: true }]);
    assert.equal(server.runtime.status, 'Unlock');

    const stale = await post('/api/v1/tasks', { code: 'select 1', lock });
    assert.deepEqual([stale.statusCode, codeOf(stale)], [423, 'EC_LOCK_INVALID'], 'a released lock is stale');
    const free = await post('/api/v1/tasks', { code: 'select 1' });
    assert.equal(free.statusCode, 202);
    await server.finished(free.json<{ id: string }>().id);
  });

  test('DELETE of an unknown lock is 404 EC_LOCK_NOT_FOUND', async () => {
    const res = await server.request({ method: 'DELETE', url: '/api/v1/locks/no-such-lock' });
    assert.deepEqual([res.statusCode, codeOf(res)], [404, 'EC_LOCK_NOT_FOUND']);
  });

  test('a serial lock is enforced; one past ec.lockMaxTimeout (1h) is 400 naming it', async () => {
    const tooLong = await post('/api/v1/locks', { timeoutMs: 2 * 3_600_000 });
    assert.deepEqual([tooLong.statusCode, codeOf(tooLong)], [400, 'EC_BAD_REQUEST']);
    assert.match(tooLong.json<{ error: { message: string } }>().error.message, /ec\.lockMaxTimeout \(1h\)/);
    const taken = await post('/api/v1/locks', { timeoutMs: 3_600_000 });
    assert.equal(taken.json<{ enforced: boolean }>().enforced, true);
    const broken = await server.request({ method: 'DELETE', url: '/api/v1/locks' });
    assert.deepEqual([broken.statusCode, broken.json()], [200, { unlocked: true }], 'the owner breaks any lock');
    assert.equal(server.runtime.status, 'Unlock');
    const none = await server.request({ method: 'DELETE', url: '/api/v1/locks' });
    assert.deepEqual([none.statusCode, codeOf(none)], [404, 'EC_LOCK_NOT_FOUND']);
  });

  test('a second task while one runs is 409 EC_BUSY', async () => {
    const first = await post('/api/v1/tasks', { code: 'sleep 30000' });
    assert.equal(first.statusCode, 202);
    const second = await post('/api/v1/tasks', { code: 'select 1' });
    assert.deepEqual([second.statusCode, codeOf(second)], [409, 'EC_BUSY']);
    const { id } = first.json<{ id: string }>();
    await post(`/api/v1/tasks/${id}/kill`);
    assert.equal((await server.finished(id)).status, 'Cancelled');
  });

  for (const [what, payload] of [
    ['a string timeoutMs', { timeoutMs: '10s' }],
    ['a negative timeoutMs', { timeoutMs: -1 }],
    ['an unknown field', { timeout: 10 }],
  ] as const) {
    test(`a lock request with ${what} is 400 EC_BAD_REQUEST`, async () => {
      const res = await post('/api/v1/locks', payload);
      assert.deepEqual([res.statusCode, codeOf(res)], [400, 'EC_BAD_REQUEST']);
    });
  }
});

describe('lock routes on an executor that ignores locks', () => {
  test('POST /api/v1/locks answers enforced: false', async () => {
    const server = await startTestServer({ executor: 'concurrent' });
    try {
      const taken = await server.request({ method: 'POST', url: '/api/v1/locks' });
      assert.equal(taken.statusCode, 200);
      assert.equal(taken.json<{ enforced: boolean }>().enforced, false);
    } finally {
      await server.close();
    }
  });
});
