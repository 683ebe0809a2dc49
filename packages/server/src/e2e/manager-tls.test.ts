import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnClientError, ManagerClient } from '@engineconn/client';
import { selfSignedCert } from '../test-support/self-signed-cert.js';
import { runEngineConn } from './spawn-engineconn.js';
import { type ManagerHarness, managerHarness, type SpawnedManager, spawnManager, TOKENS } from './spawn-manager.js';

/** A GET with a Host and Origin of our choosing (fetch would not send this Host). */
function getWith(url: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('engineconn manager over TLS (end to end)', () => {
  let harness: ManagerHarness;
  let manager: SpawnedManager;
  let cert: string;
  let ca: Buffer;
  before(async () => {
    harness = await managerHarness();
    const pair = selfSignedCert(harness.dir);
    cert = pair.cert;
    ca = await readFile(cert);
    manager = await harness.start(['--tls-cert', cert, '--tls-key', pair.key]);
  });
  after(async () => {
    await harness?.close();
  });

  test('serves HTTPS; the engines it launches report to it over HTTPS and their URL works with the CA', async () => {
    assert.match(manager.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new ManagerClient({ url: manager.url, token: TOKENS.alice, ca });
    // The ask answers once the engine has reported itself ready: it trusted the manager's certificate.
    const answer = await client.ask({ engineType: 'duckdb' });
    assert.equal(answer.engine.status, 'Unlock');
    const task = await client.engineClient(answer.engine).submit({ code: 'select 42 as answer' });
    assert.equal((await task.done).status, 'Succeed');
    const job = await client.submit({ engineType: 'duckdb', code: 'select 1 as one' });
    assert.equal((await job.done).status, 'Succeed');

    const untrusting = new ManagerClient({ url: manager.url, token: TOKENS.alice, retry: { retries: 0 } });
    await assert.rejects(
      untrusting.engines(),
      (err: unknown) => err instanceof EngineConnClientError && err.code === 'EC_UNREACHABLE',
    );
  });

  test('engineconn engines and submit --manager take --ca', async () => {
    const env = { ENGINECONN_TOKEN: TOKENS.alice };
    const listed = await runEngineConn(['engines', '--manager', manager.url, '--ca', cert, '--json'], 20_000, env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 1);
    const submitted = await runEngineConn(
      ['submit', '--manager', manager.url, '--ca', cert, '--engine', 'duckdb', 'select 7 as seven'],
      30_000,
      env,
    );
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /\(1 row\)/);
    const refused = await runEngineConn(['engines', '--manager', manager.url], 20_000, env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /EC_UNREACHABLE/);
  });
});

describe('engineconn manager start: bind, --public-url and --allow-origin (end to end)', () => {
  let harness: ManagerHarness;
  before(async () => {
    harness = await managerHarness();
  });
  after(async () => {
    await harness?.close();
  });

  test('a non-loopback --host without TLS needs --insecure-http, and then warns', async () => {
    const refused = await runEngineConn([
      'manager',
      'start',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--data-dir',
      join(harness.dir, 'plain'),
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--insecure-http.*\[EC_CONFIG_INVALID\]/);
    const insecure = await harness.start(['--host', '0.0.0.0', '--insecure-http']);
    assert.match(insecure.stderr(), /--insecure-http: tokens and task data cross the network unencrypted/);
    insecure.child.kill('SIGTERM');
    await insecure.exited;
  });

  test('--public-url names a Host it serves, --allow-origin an Origin; others stay refused', async () => {
    const manager = await spawnManager(
      harness.dir,
      [
        '--data-dir',
        join(harness.dir, 'guarded'),
        '--public-url',
        'https://ecm.example.com',
        '--allow-origin',
        'https://notebooks.example.com',
      ],
      0,
    );
    try {
      const { token } = JSON.parse(await readFile(manager.readyFile, 'utf8')) as { token: string };
      const auth = { authorization: `Bearer ${token}` };
      const get = (headers: Record<string, string>) => getWith(manager.url, '/api/v1/engines', { ...auth, ...headers });
      assert.equal(await get({ host: 'ecm.example.com' }), 200);
      assert.equal(await get({ host: 'rebound.example.com' }), 403);
      assert.equal(await get({ origin: 'https://notebooks.example.com' }), 200);
      assert.equal(await get({ origin: 'https://ecm.example.com' }), 200);
      assert.equal(await get({ origin: 'https://evil.example.com' }), 403);
    } finally {
      manager.child.kill('SIGTERM');
      await manager.exited;
    }
  });

  test('a bad --public-url fails the start with EC_CONFIG_INVALID', async () => {
    const run = await runEngineConn([
      'manager',
      'start',
      '--port',
      '0',
      '--data-dir',
      join(harness.dir, 'bad'),
      '--public-url',
      'ftp://x',
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--public-url.*\[EC_CONFIG_INVALID\]/);
  });
});
