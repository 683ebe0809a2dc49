import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { startTestServer } from '../../test-support/test-server.js';

const codeOf = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;

describe('engineconn routes', () => {
  test('GET /api/v1/engineconn answers the contract fields', async (t) => {
    const server = await startTestServer({ options: { 'ec.concurrency': '3' } });
    t.after(() => server.close());
    const res = await server.request({ method: 'GET', url: '/api/v1/engineconn' });
    assert.equal(res.statusCode, 200);
    const info = res.json<Record<string, unknown>>();
    for (const key of [
      'id',
      'engineType',
      'engineVersion',
      'executor',
      'status',
      'health',
      'owner',
      'labels',
      'concurrency',
      'overload',
      'startedAt',
      'lastActivityAt',
      'pid',
    ]) {
      assert.ok(key in info, `has ${key}`);
    }
    assert.equal(info.engineType, 'test');
    assert.equal(info.status, 'Unlock');
    assert.equal(info.health, 'Healthy');
    assert.deepEqual(info.concurrency, { limit: 3, running: 0, queued: 0 });
    assert.deepEqual(Object.keys(info.overload as object).sort(), [
      'maxMemory',
      'systemCpuUsed',
      'systemLeftMemory',
      'usedMemory',
    ]);
  });

  test('/healthz is 200 {status: ok}; /readyz is 200 while serving and 503 once shutting down', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const health = await server.request({ method: 'GET', url: '/healthz' });
    assert.deepEqual([health.statusCode, health.json()], [200, { status: 'ok' }]);
    const ready = await server.request({ method: 'GET', url: '/readyz' });
    assert.deepEqual([ready.statusCode, ready.json()], [200, { ready: true, status: 'Unlock' }]);
    await server.runtime.shutdown('test');
    const notReady = await server.request({ method: 'GET', url: '/readyz' });
    assert.equal(notReady.statusCode, 503);
    assert.equal(notReady.json<{ ready: boolean }>().ready, false);
  });

  test('shutdown answers 202, drains, and later submits are 503 EC_SHUTTING_DOWN', async (t) => {
    const server = await startTestServer({ options: { 'ec.shutdownGrace': '5s' } });
    t.after(() => server.close());
    const { id } = await server.submit('sleep 200');
    const res = await server.request({ method: 'POST', url: '/api/v1/engineconn/shutdown' });
    assert.equal(res.statusCode, 202);
    assert.equal(res.json<{ status: string }>().status, 'ShuttingDown');
    const refused = await server.request({ method: 'POST', url: '/api/v1/tasks', payload: { code: 'select 1' } });
    assert.equal(refused.statusCode, 503);
    assert.equal(codeOf(refused), 'EC_SHUTTING_DOWN');
    const exit = await server.runtime.exited;
    assert.equal(exit.exitCode, 0);
    // The running task was drained, not killed.
    assert.equal(server.runtime.getTask(id, { user: 'owner', admin: false }).info().status, 'Succeed');
  });

  test('while UnHealthy, submits are 503 EC_UNHEALTHY', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    // A running task keeps the EC from releasing itself the moment it is marked UnHealthy.
    const { id } = await server.submit('sleep 30000');
    await waitFor(() => server.runtime.info().concurrency.running === 1);
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/engineconn/health',
      payload: { health: 'UnHealthy', reason: 'manager says so' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ health: string }>().health, 'UnHealthy');
    const refused = await server.request({ method: 'POST', url: '/api/v1/tasks', payload: { code: 'select 1' } });
    assert.equal(refused.statusCode, 503);
    assert.equal(codeOf(refused), 'EC_UNHEALTHY');
    await server.request({ method: 'POST', url: `/api/v1/tasks/${id}/kill` });
  });

  test('a bad health body is 400 EC_BAD_REQUEST naming the field', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const res = await server.request({ method: 'POST', url: '/api/v1/engineconn/health', payload: { health: 'Fine' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ error: { message: string } }>().error.message, /'health' must be one of/);
  });
});
