import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnClient } from '@engineconn/client';
import { waitFor } from '@engineconn/testkit';
import { selfSignedCert } from '../test-support/self-signed-cert.js';
import { runEngineConn, type SpawnedEngineConn, spawnEngineConn, TEST_ENGINE } from './spawn-engineconn.js';

describe('TLS (end to end)', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let ec: SpawnedEngineConn;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-tls-'));
    ({ cert, key } = selfSignedCert(dir));
    ec = await spawnEngineConn(['--engine', TEST_ENGINE, '--tls-cert', cert, '--tls-key', key]);
  });
  after(async () => {
    await ec?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('--tls-cert/--tls-key serve HTTPS: the ready file and console URL say https', async () => {
    assert.match(ec.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    await waitFor(() => ec.stdout().includes(`Console: ${ec.url}/?token=`), { what: 'the https console URL' });
    // Plain HTTP to the TLS port gets no API answer.
    const plain = await fetch(ec.url.replace('https:', 'http:') + '/healthz').then(
      (r) => r.status,
      () => 'refused',
    );
    assert.notEqual(plain, 200);
  });

  test('the SDK with `ca` works over HTTPS, SSE and WSS; without it the certificate is not trusted', async () => {
    const ca = await readFile(cert);
    const client = new EngineConnClient({ url: ec.url, token: ec.token, ca });
    for (const transport of ['sse', 'ws'] as const) {
      const task = await client.submit({ code: 'log 3; rows 2' }, { transport });
      const events = [];
      for await (const event of client.events(task.id, { transport })) events.push(event.event);
      assert.equal(events.at(-1), 'done', transport);
      assert.equal((await task.done).status, 'Succeed');
    }
    const untrusting = new EngineConnClient({ url: ec.url, token: ec.token, retry: { retries: 0 } });
    await assert.rejects(untrusting.info(), (err: unknown) => (err as { code?: string }).code === 'EC_UNREACHABLE');
  });

  test('engineconn submit --ca talks HTTPS and finds the owner token by itself', async () => {
    const env = { ENGINECONN_RUNTIME_DIR: ec.runtimeDir };
    const run = await runEngineConn(['submit', '--url', ec.url, '--ca', cert, 'rows 1'], 20_000, env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\(1 row\)/);
  });

  test('one of --tls-cert and --tls-key alone, or an unreadable one, fails the start with EC_CONFIG_INVALID', async () => {
    for (const args of [
      ['--tls-cert', cert],
      ['--tls-key', key],
      ['--tls-cert', join(dir, 'nope.pem'), '--tls-key', key],
    ]) {
      const run = await runEngineConn(['start', '--engine', TEST_ENGINE, '--port', '0', ...args]);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.stderr, /(--tls-cert|--tls-key).*\[EC_CONFIG_INVALID\]/, args.join(' '));
    }
  });

  test('a non-loopback --host without TLS needs --insecure-http; nothing is bound before', async () => {
    const run = await runEngineConn(['start', '--engine', TEST_ENGINE, '--port', '0', '--host', '0.0.0.0']);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /--host 0\.0\.0\.0 would serve bearer tokens over plain HTTP.*--insecure-http.*\[EC_CONFIG_INVALID\]/,
    );
  });
});
