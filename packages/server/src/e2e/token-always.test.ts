import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import WebSocket from 'ws';
import { runEngineConn, spawnerForSuite, TEST_ENGINE, taskFinished } from './spawn-engineconn.js';

/** The HTTP status a WebSocket upgrade to `url` is answered with (101 when it opens). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('a token always, same origin only (end to end)', () => {
  const spawn = spawnerForSuite();
  const start = (args: string[], env: Record<string, string> = {}) => spawn(args, { env });

  test('without an auth file: a generated owner token in the 0600 ready file, the runtime file and the console URL', async () => {
    const ec = await start(['--engine', TEST_ENGINE]);
    assert.match(ec.token ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await stat(ec.readyFile)).mode & 0o777, 0o600);
    await waitFor(() => ec.stdout().includes('Console:'), { what: 'the console URL' });
    assert.ok(ec.stdout().includes(`Console: ${ec.url}/?token=${ec.token}\n`), ec.stdout());

    const [file] = await readdir(ec.runtimeDir);
    assert.ok(file, 'a runtime file');
    assert.equal((await stat(ec.runtimeDir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(ec.runtimeDir, file))).mode & 0o777, 0o600);
    const record = JSON.parse(await readFile(join(ec.runtimeDir, file), 'utf8')) as { token: string; url: string };
    assert.deepEqual([record.url, record.token], [ec.url, ec.token]);

    const anonymous = await ec.api<{ error: { code: string } }>('GET', '/api/v1/engineconn', undefined, null);
    assert.deepEqual([anonymous.status, anonymous.body.error.code], [401, 'EC_UNAUTHORIZED']);
    assert.equal((await ec.api('GET', '/healthz', undefined, null)).status, 200);
    assert.equal((await ec.api('GET', '/api/v1/engineconn')).status, 200);

    // The CLI of the same OS user (same runtime directory) needs neither --token nor ENGINECONN_TOKEN.
    const env = { ENGINECONN_RUNTIME_DIR: ec.runtimeDir };
    const submitted = await runEngineConn(['submit', '--url', ec.url, 'rows 1'], 20_000, env);
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /\(1 row\)/);
    const stranger = await runEngineConn(['status', '--url', ec.url], 20_000, {
      ENGINECONN_RUNTIME_DIR: join(ec.dir, 'elsewhere'),
    });
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /\[EC_UNAUTHORIZED\] \(pass --token or set ENGINECONN_TOKEN/);

    ec.child.kill('SIGTERM');
    assert.deepEqual(await ec.exited, { code: 0, signal: null });
    assert.deepEqual(await readdir(ec.runtimeDir), [], 'the runtime file is removed at exit');
  });

  test('ENGINECONN_TOKEN is the owner token, and no task inherits it', async () => {
    const token = 'a-manager-chosen-token-0123456789';
    const ec = await start(['--engine', 'shell'], { ENGINECONN_TOKEN: token });
    assert.equal(ec.token, token);
    const task = await ec.api<{ id: string }>('POST', '/api/v1/tasks', {
      code: 'printenv ENGINECONN_TOKEN || echo unset',
    });
    assert.equal(task.status, 202);
    assert.equal((await taskFinished(ec, task.body.id)).status, 'Succeed');
    const logs = await ec.api<{ lines: string[] }>('GET', `/api/v1/tasks/${task.body.id}/logs`);
    assert.deepEqual(logs.body.lines, ['unset']);
  });

  test('a foreign Origin or a rebinding Host is refused over HTTP and on the WebSocket upgrade; the EC keeps serving', async () => {
    const ec = await start(['--engine', TEST_ENGINE]);
    const auth = { authorization: `Bearer ${ec.token}` };
    const shutdown = await fetch(`${ec.url}/api/v1/engineconn/shutdown`, {
      method: 'POST',
      headers: { ...auth, origin: 'https://evil.example' },
    });
    assert.equal(shutdown.status, 403);
    assert.equal(((await shutdown.json()) as { error: { code: string } }).error.code, 'EC_FORBIDDEN_ORIGIN');

    const ws = `${ec.url}/api/v1/events?token=${ec.token}`;
    const foreign = await upgradeStatus(ws, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /EC_FORBIDDEN_ORIGIN/);
    const port = new URL(ec.url).port;
    const rebound = await upgradeStatus(ws, { host: `rebind.evil.example:${port}` });
    assert.equal(rebound.status, 403);
    assert.equal((await upgradeStatus(ws, { origin: ec.url })).status, 101);

    const form = await fetch(`${ec.url}/api/v1/tasks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'code=select+1',
    });
    assert.equal(form.status, 415);
    const tasks = await ec.api<{ tasks: unknown[] }>('GET', '/api/v1/tasks');
    assert.deepEqual(tasks.body.tasks, [], 'nothing ran');
    assert.equal((await ec.api<{ status: string }>('GET', '/api/v1/engineconn')).body.status, 'Unlock');
  });
});
