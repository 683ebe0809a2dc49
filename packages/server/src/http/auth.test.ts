import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { startLiveServer, startTestServer, type TestServer } from '../test-support/test-server.js';
import { Authenticator, isLoopback, loadAuthFile, parseAuthConfig } from './auth.js';

const AUTH = parseAuthConfig({
  tokens: [
    { token: 'tok-alice', user: 'alice' },
    { token: 'tok-bob', user: 'bob', admin: false },
    { token: 'tok-root', user: 'root', admin: true },
    { token: 'tok-owner', user: 'owner' },
  ],
});

const codeOf = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;

describe('auth helpers', () => {
  test('isLoopback accepts 127.0.0.0/8, ::1 and IPv4-mapped 127.x only', () => {
    for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '::2', '', undefined, '127.0.0.1.evil']) {
      assert.ok(!isLoopback(a), String(a));
    }
  });

  test('a malformed auth config is EC_CONFIG_INVALID naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{}, /'tokens'/],
      [{ tokens: [] }, /at least one token/],
      [{ tokens: [{ token: 't', user: 'u', admin: 'yes' }] }, /'tokens\.0\.admin'/],
      [{ tokens: [{ token: '', user: 'u' }] }, /'tokens\.0\.token'/],
      [{ tokens: [{ token: 't', user: 'u', extra: 1 }] }, /tokens\.0/],
      [
        {
          tokens: [
            { token: 't', user: 'a' },
            { token: 't', user: 'b' },
          ],
        },
        /same token twice/,
      ],
    ];
    for (const [json, message] of bad) {
      assert.throws(
        () => parseAuthConfig(json),
        (err: unknown) =>
          err instanceof EngineConnError && err.code === 'EC_CONFIG_INVALID' && message.test(err.message),
        JSON.stringify(json),
      );
    }
  });

  test('loadAuthFile reports unreadable and non-JSON files clearly', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ec-auth-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'auth.json');
    await writeFile(file, '{"tokens": [');
    await assert.rejects(loadAuthFile(file), /not valid JSON/);
    await assert.rejects(loadAuthFile(join(dir, 'missing.json')), /Cannot read the auth file/);
    await writeFile(file, JSON.stringify({ tokens: [{ token: 'x', user: 'u' }] }));
    assert.deepEqual(await loadAuthFile(file), { tokens: [{ token: 'x', user: 'u', admin: false }] });
  });

  test('the bearer scheme is case-insensitive and the token must match exactly', () => {
    const auth = new Authenticator({ auth: AUTH, owner: 'owner' });
    assert.deepEqual(auth.authenticate({ authorization: 'bearer tok-alice' }, '10.0.0.1'), {
      user: 'alice',
      admin: false,
    });
    for (const header of [undefined, 'tok-alice', 'Bearer', 'Bearer tok-alic', 'Bearer tok-alice2', 'Basic dG9r']) {
      assert.throws(
        () => auth.authenticate({ authorization: header }, '127.0.0.1'),
        (err: unknown) => err instanceof EngineConnError && err.code === 'EC_UNAUTHORIZED',
        String(header),
      );
    }
  });
});

describe('with an auth file, share level server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ auth: AUTH, owner: 'owner', shareLevel: 'server' });
  });
  after(() => server.close());

  test('no token or an unknown token is 401 EC_UNAUTHORIZED', async () => {
    for (const token of [null, 'wrong']) {
      const res = await server.request({ method: 'GET', url: '/api/v1/engineconn', token });
      assert.equal(res.statusCode, 401);
      assert.equal(codeOf(res), 'EC_UNAUTHORIZED');
    }
  });

  test('remote callers with a token are served', async () => {
    const res = await server.request({
      method: 'GET',
      url: '/api/v1/engineconn',
      token: 'tok-alice',
      remoteAddress: '10.1.2.3',
    });
    assert.equal(res.statusCode, 200);
  });

  test('?token= authenticates the SSE route only (EventSource cannot set headers)', async () => {
    const { id } = await server.submit('select 1', 'tok-alice');
    await server.finished(id, 'tok-alice');
    const sse = await server.request({ method: 'GET', url: `/api/v1/tasks/${id}/events?token=tok-alice` });
    assert.equal(sse.statusCode, 200);
    assert.match(sse.body, /event: done/);
    const wrong = await server.request({ method: 'GET', url: `/api/v1/tasks/${id}/events?token=tok-bob` });
    assert.equal(wrong.statusCode, 404);
    const elsewhere = await server.request({ method: 'GET', url: `/api/v1/tasks/${id}?token=tok-alice` });
    assert.equal(elsewhere.statusCode, 401);
  });

  test('probes need no token', async () => {
    assert.equal((await server.request({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await server.request({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });

  test("users see only their own tasks; another user's task is 404; admins see all", async () => {
    const { id } = await server.submit('select 1', 'tok-alice');
    await server.finished(id, 'tok-alice');
    for (const url of [`/api/v1/tasks/${id}`, `/api/v1/tasks/${id}/logs`, `/api/v1/tasks/${id}/results/0`]) {
      const res = await server.request({ method: 'GET', url, token: 'tok-bob' });
      assert.equal(res.statusCode, 404, url);
      assert.equal(codeOf(res), 'EC_TASK_NOT_FOUND');
    }
    const kill = await server.request({ method: 'POST', url: `/api/v1/tasks/${id}/kill`, token: 'tok-bob' });
    assert.equal(kill.statusCode, 404);
    const bobs = (await server.request({ method: 'GET', url: '/api/v1/tasks', token: 'tok-bob' })).json<{
      tasks: { id: string }[];
    }>();
    assert.ok(!bobs.tasks.some((t) => t.id === id));
    const roots = (await server.request({ method: 'GET', url: '/api/v1/tasks', token: 'tok-root' })).json<{
      tasks: { id: string; owner: string }[];
    }>();
    assert.ok(roots.tasks.some((t) => t.id === id && t.owner === 'alice'));
    assert.equal(
      (await server.request({ method: 'GET', url: `/api/v1/tasks/${id}`, token: 'tok-root' })).statusCode,
      200,
    );
  });

  test('health override and shutdown are 403 EC_FORBIDDEN for a non-owner, non-admin', async () => {
    for (const [url, payload] of [
      ['/api/v1/engineconn/health', { health: 'WARN' }],
      ['/api/v1/engineconn/shutdown', undefined],
    ] as const) {
      const res = await server.request({ method: 'POST', url, payload, token: 'tok-alice' });
      assert.equal(res.statusCode, 403, url);
      assert.equal(codeOf(res), 'EC_FORBIDDEN');
    }
    assert.equal(server.runtime.status, 'Unlock');
  });

  test('an admin may override health', async () => {
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/engineconn/health',
      payload: { health: 'WARN', reason: 'disk filling up' },
      token: 'tok-root',
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ health: string }>().health, 'WARN');
    assert.equal(server.runtime.health, 'WARN');
    const back = await server.request({
      method: 'POST',
      url: '/api/v1/engineconn/health',
      payload: { health: 'Healthy' },
      token: 'tok-owner',
    });
    assert.equal(back.statusCode, 200);
    assert.equal(server.runtime.health, 'Healthy');
  });
});

describe('without an auth file: the owner token', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ owner: 'owner' });
  });
  after(() => server.close());

  test('the owner token is required; with it the caller is the owner', async () => {
    assert.match(server.ownerToken ?? '', /^[A-Za-z0-9_-]{43}$/);
    const { id } = await server.submit('select 1');
    const info = await server.finished(id);
    assert.equal(info.owner, 'owner');
  });

  test('a missing, garbled or guessed token is 401 EC_UNAUTHORIZED and runs nothing', async () => {
    const before = server.runtime.listTasks({ user: 'owner', admin: true }).length;
    const garbled = `${server.ownerToken?.slice(0, -1)}x`;
    for (const authorization of [
      undefined,
      'Bearer',
      `Bearer ${garbled}`,
      'Bearer anything',
      `Basic ${server.ownerToken}`,
    ]) {
      const res = await server.request({
        method: 'POST',
        url: '/api/v1/tasks',
        payload: { code: 'select 1' },
        token: null,
        headers: authorization ? { authorization } : {},
      });
      assert.equal(res.statusCode, 401, String(authorization));
      assert.equal(codeOf(res), 'EC_UNAUTHORIZED');
      assert.match(res.json<{ error: { message: string } }>().error.message, /owner token/);
    }
    assert.equal(server.runtime.listTasks({ user: 'owner', admin: true }).length, before);
    assert.equal((await server.request({ method: 'GET', url: '/api/v1/engineconn' })).statusCode, 200);
  });

  test('the probes need no token; everything else does', async () => {
    for (const url of ['/healthz', '/readyz']) {
      assert.equal((await server.request({ method: 'GET', url, token: null })).statusCode, 200, url);
    }
    for (const url of ['/api/v1/engineconn', '/api/v1/tasks', '/api/v1/tasks/t-1/events']) {
      assert.equal((await server.request({ method: 'GET', url, token: null })).statusCode, 401, url);
    }
  });

  test('non-loopback callers are 403 EC_FORBIDDEN even with the token, except on the probes', async () => {
    for (const remoteAddress of ['10.0.0.7', '::ffff:192.168.1.2', '2001:db8::1']) {
      const res = await server.request({ method: 'GET', url: '/api/v1/tasks', remoteAddress });
      assert.equal(res.statusCode, 403, remoteAddress);
      assert.equal(codeOf(res), 'EC_FORBIDDEN');
    }
    const probe = await server.request({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.7' });
    assert.equal(probe.statusCode, 200);
  });
});

describe('one keep-alive connection', () => {
  /** One request over `agent` (one socket); the status, the body and whether the socket was reused. */
  function send(agent: Agent, url: string, method: string, path: string, token: string, body?: unknown) {
    return new Promise<{ status: number; json: unknown; reused: boolean }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(`${url}${path}`, {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            reused: req.reusedSocket,
          }),
        );
      });
      req.end(payload);
    });
  }

  test('checks a header it verified once, and every other header in full', async (t) => {
    const server = await startLiveServer({ auth: AUTH, owner: 'owner', shareLevel: 'server' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.after(async () => {
      agent.destroy();
      await server.close();
    });
    const { authenticator } = server.app.engineConn;
    let checks = 0;
    const authenticate = authenticator.authenticate.bind(authenticator);
    authenticator.authenticate = (headers, remoteAddress) => {
      checks++;
      return authenticate(headers, remoteAddress);
    };
    const submitted = await send(agent, server.url, 'POST', '/api/v1/tasks?wait=10s', 'tok-alice', { code: 'echo hi' });
    assert.equal(submitted.status, 200);
    const { id } = submitted.json as { id: string };
    const path = `/api/v1/tasks/${id}`;
    for (let i = 0; i < 3; i++) assert.equal((await send(agent, server.url, 'GET', path, 'tok-alice')).status, 200);
    assert.equal(checks, 1, 'the same header on the same connection is verified once');

    const wrong = await send(agent, server.url, 'GET', path, 'tok-alice-not');
    assert.equal(wrong.status, 401);
    assert.equal((wrong.json as { error: { code: string } }).error.code, 'EC_UNAUTHORIZED');
    assert.ok(wrong.reused, 'the refused header came on the verified connection');
    const bob = await send(agent, server.url, 'GET', path, 'tok-bob');
    assert.equal(bob.status, 404, "another user's header on the same connection is that user, not alice");
    assert.ok(bob.reused);
    const alice = await send(agent, server.url, 'GET', path, 'tok-alice');
    assert.equal(alice.status, 200);
    assert.ok(alice.reused);
    assert.equal(checks, 4, 'each changed header is checked in full');
  });
});
