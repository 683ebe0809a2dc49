import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { parseAuthConfig } from './auth.js';

const errorOf = (res: { statusCode: number; json(): unknown }) => {
  const { error } = res.json() as { error: { code: string; message: string } };
  return { status: res.statusCode, code: error.code, message: error.message };
};

describe('same origin only (docs/security.md)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      guard: {
        bindHost: '127.0.0.1',
        publicUrls: ['https://ec.example.com'],
        allowOrigins: ['https://notebooks.example.com'],
      },
    });
  });
  after(() => server.close());

  const taskCount = () => server.runtime.listTasks({ user: 'owner', admin: true }).length;

  test('a foreign Origin is 403 EC_FORBIDDEN_ORIGIN on reads, submits, kills and shutdown; nothing runs', async () => {
    const before = taskCount();
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example:80', 'file://']) {
      for (const [method, url, payload] of [
        ['GET', '/api/v1/tasks', undefined],
        ['POST', '/api/v1/tasks', { code: 'select 1' }],
        ['POST', '/api/v1/tasks/t-1/kill', undefined],
        ['POST', '/api/v1/engineconn/shutdown', undefined],
      ] as const) {
        const res = await server.request({ method, url, payload, headers: { origin } });
        const err = errorOf(res);
        assert.deepEqual([err.status, err.code], [403, 'EC_FORBIDDEN_ORIGIN'], `${origin} ${method} ${url}`);
      }
    }
    assert.match(
      errorOf(
        await server.request({ method: 'GET', url: '/api/v1/tasks', headers: { origin: 'https://evil.example' } }),
      ).message,
      /--allow-origin https:\/\/evil\.example/,
    );
    assert.equal(taskCount(), before);
    assert.equal(server.runtime.status, 'Unlock');
  });

  test('the own origin, a --public-url origin and an --allow-origin are served; no Origin at all too', async () => {
    for (const headers of [
      { origin: 'http://localhost:80', host: 'localhost:80' },
      { origin: 'http://127.0.0.1:7070', host: '127.0.0.1:7070' },
      { origin: 'https://ec.example.com' },
      { origin: 'https://notebooks.example.com' },
      {},
    ]) {
      const res = await server.request({ method: 'GET', url: '/api/v1/engineconn', headers });
      assert.equal(res.statusCode, 200, JSON.stringify(headers));
    }
  });

  test("an Origin naming the request's Host with another scheme or port is foreign", async () => {
    for (const origin of ['https://127.0.0.1:7070', 'http://127.0.0.1:7071']) {
      const res = await server.request({
        method: 'GET',
        url: '/api/v1/engineconn',
        headers: { origin, host: '127.0.0.1:7070' },
      });
      assert.equal(errorOf(res).code, 'EC_FORBIDDEN_ORIGIN', origin);
    }
  });

  test('a rebinding Host is 403 EC_FORBIDDEN_ORIGIN, even with the right token and its own Origin', async () => {
    for (const host of ['evil.example:7070', 'attacker.localhost.evil:7070', 'EVIL.example']) {
      const res = await server.request({
        method: 'POST',
        url: '/api/v1/tasks',
        payload: { code: 'select 1' },
        headers: { host, origin: `http://${host}` },
      });
      const err = errorOf(res);
      assert.deepEqual([err.status, err.code], [403, 'EC_FORBIDDEN_ORIGIN'], host);
      assert.match(err.message, /--public-url/);
    }
  });

  test('IP literals, localhost, the bound address and the --public-url host are served', async () => {
    for (const host of ['127.0.0.1:7070', 'localhost:7070', 'LOCALHOST', '[::1]:7070', '10.1.2.3', 'ec.example.com']) {
      const res = await server.request({ method: 'GET', url: '/api/v1/engineconn', headers: { host } });
      assert.equal(res.statusCode, 200, host);
    }
  });

  test('the probes answer any Host and Origin', async () => {
    const res = await server.request({
      method: 'GET',
      url: '/readyz',
      token: null,
      headers: { host: 'ec-0.ec.svc.cluster.local', origin: 'https://evil.example' },
    });
    assert.equal(res.statusCode, 200);
  });

  test('a form-encoded, text/plain or multipart body is 415 EC_UNSUPPORTED_MEDIA_TYPE and runs nothing', async () => {
    const before = taskCount();
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', '']) {
      const res = await server.request({
        method: 'POST',
        url: '/api/v1/tasks',
        payload: type.startsWith('application/x-www') ? 'code=select+1' : '{"code":"select 1"}',
        headers: { 'content-type': type },
      });
      const err = errorOf(res);
      assert.deepEqual([err.status, err.code], [415, 'EC_UNSUPPORTED_MEDIA_TYPE'], type);
    }
    assert.equal(taskCount(), before);
    const ok = await server.request({ method: 'POST', url: '/api/v1/tasks', payload: { code: 'select 1' } });
    assert.equal(ok.statusCode, 202);
  });

  test('a POST or DELETE without a body needs no content type', async () => {
    const { id } = await server.submit('sleep 30000');
    const kill = await server.request({ method: 'POST', url: `/api/v1/tasks/${id}/kill` });
    assert.equal(kill.statusCode, 202);
    assert.equal((await server.finished(id)).status, 'Cancelled');
    const lock = await server.request({ method: 'POST', url: '/api/v1/locks' });
    assert.equal(lock.statusCode, 200);
    const { lock: held } = lock.json<{ lock: string }>();
    const unlock = await server.request({ method: 'DELETE', url: `/api/v1/locks/${held}` });
    assert.equal(unlock.statusCode, 200);
  });

  test('every answer carries X-Content-Type-Options: nosniff', async () => {
    for (const url of ['/api/v1/engineconn', '/api/v1/nope']) {
      const res = await server.request({ method: 'GET', url });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    }
  });

  test('bad --public-url and --allow-origin values fail the build with EC_CONFIG_INVALID', async () => {
    for (const guard of [{ publicUrls: ['ftp://x'] }, { allowOrigins: ['notebooks.example.com'] }]) {
      await assert.rejects(startTestServer({ guard }), (err: unknown) => {
        assert.equal((err as { code?: string }).code, 'EC_CONFIG_INVALID');
        return true;
      });
    }
  });
});

describe('share level (docs/security.md)', () => {
  const AUTH = parseAuthConfig({
    tokens: [
      { token: 'tok-alice', user: 'alice' },
      { token: 'tok-bob', user: 'bob' },
      { token: 'tok-admin', user: 'ops', admin: true },
    ],
  });

  describe('user (the default)', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ auth: AUTH, owner: 'alice' });
    });
    after(() => server.close());

    test("a non-owner's submit and lock are 403 EC_FORBIDDEN naming whose EngineConn it is; nothing runs", async () => {
      for (const url of ['/api/v1/tasks', '/api/v1/locks']) {
        const res = await server.request({ method: 'POST', url, payload: { code: 'select 1' }, token: 'tok-bob' });
        const err = errorOf(res);
        assert.deepEqual([err.status, err.code], [403, 'EC_FORBIDDEN'], url);
        assert.match(err.message, /belongs to 'alice'/);
      }
      assert.equal(server.runtime.listTasks({ user: 'ops', admin: true }).length, 0);
    });

    test('the owner and admins may submit; the tasks stay private', async () => {
      const mine = await server.submit('select 1', 'tok-alice');
      const ops = await server.submit('select 2', 'tok-admin');
      assert.equal((await server.finished(mine.id, 'tok-alice')).owner, 'alice');
      assert.equal((await server.finished(ops.id, 'tok-admin')).owner, 'ops');
      const peek = await server.request({ method: 'GET', url: `/api/v1/tasks/${ops.id}`, token: 'tok-alice' });
      assert.equal(errorOf(peek).code, 'EC_TASK_NOT_FOUND');
      // bob may still look at the EngineConn (and his own, empty, task list).
      const list = await server.request({ method: 'GET', url: '/api/v1/tasks', token: 'tok-bob' });
      assert.deepEqual(list.json<{ tasks: unknown[] }>().tasks, []);
    });
  });

  describe('server', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ auth: AUTH, owner: 'alice', shareLevel: 'server' });
    });
    after(() => server.close());

    test('any authenticated user may submit, and sees only their own tasks', async () => {
      const bobs = await server.submit('select 1', 'tok-bob');
      const alices = await server.submit('select 2', 'tok-alice');
      assert.equal((await server.finished(bobs.id, 'tok-bob')).owner, 'bob');
      const peek = await server.request({ method: 'GET', url: `/api/v1/tasks/${alices.id}`, token: 'tok-bob' });
      assert.equal(errorOf(peek).code, 'EC_TASK_NOT_FOUND');
      const shutdown = await server.request({ method: 'POST', url: '/api/v1/engineconn/shutdown', token: 'tok-bob' });
      assert.equal(errorOf(shutdown).code, 'EC_FORBIDDEN');
    });
  });
});
