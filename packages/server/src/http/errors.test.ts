import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import type { FastifyPluginAsync } from 'fastify';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

/** A route module plugged in the way the WebSocket, console and metrics modules are. */
const faulty: FastifyPluginAsync = async (app) => {
  app.get('/test/boom', async () => {
    throw new Error('secret internal detail');
  });
  app.get('/test/coded', async () => {
    throw Object.assign(new Error('engine says busy'), { code: 'EC_BUSY' });
  });
  app.get('/test/engine-error', async () => {
    throw new EngineConnError('EC_ENGINE_ERROR', 'Catalog Error: table t does not exist');
  });
  app.get('/test/whoami', async (request) => app.engineConn.callerOf(request));
  app.get('/test/public', { config: { public: true } }, async () => ({ ok: true }));
};

describe('error handling and plugins', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ plugins: [faulty] });
  });
  after(() => server.close());

  test('an unexpected error is 500 EC_INTERNAL without leaking its message', async () => {
    const res = await server.request({ method: 'GET', url: '/test/boom' });
    assert.equal(res.statusCode, 500);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, 'EC_INTERNAL');
    assert.doesNotMatch(error.message, /secret/);
  });

  test('a plain error carrying an EC_* code keeps its code and status', async () => {
    const res = await server.request({ method: 'GET', url: '/test/coded' });
    assert.deepEqual([res.statusCode, res.json()], [409, { error: { code: 'EC_BUSY', message: 'engine says busy' } }]);
  });

  test('an EngineConnError answers its own status and code', async () => {
    const res = await server.request({ method: 'GET', url: '/test/engine-error' });
    assert.equal(res.statusCode, 500);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'EC_ENGINE_ERROR');
  });

  test('plugin routes are authenticated by the root hook and see the caller', async () => {
    const res = await server.request({ method: 'GET', url: '/test/whoami' });
    assert.deepEqual(res.json(), { user: 'owner', admin: false });
    const remote = await server.request({ method: 'GET', url: '/test/whoami', remoteAddress: '10.0.0.1' });
    assert.equal(remote.statusCode, 403);
    const open = await server.request({ method: 'GET', url: '/test/public', remoteAddress: '10.0.0.1' });
    assert.equal(open.statusCode, 200);
  });

  test('a bad URL encoding is 400 EC_BAD_REQUEST and an over-long id 414 EC_URI_TOO_LONG, not a crash', async () => {
    for (const [url, status, code] of [
      ['/api/v1/tasks/%E0%A4%A', 400, 'EC_BAD_REQUEST'],
      [`/api/v1/tasks/${'x'.repeat(500)}`, 414, 'EC_URI_TOO_LONG'],
    ] as const) {
      const res = await server.request({ method: 'GET', url });
      assert.equal(res.statusCode, status, url);
      assert.equal(res.json<{ error: { code: string } }>().error.code, code);
    }
  });
});
