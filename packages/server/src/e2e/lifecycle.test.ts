import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { createFileGate, waitFor } from '@engineconn/testkit';
import { parseSse } from '../test-support/sse-parse.js';
import {
  runEngineConn,
  spawnerForSuite,
  submitBeforeIdleRelease,
  TEST_ENGINE,
  taskFinished,
} from './spawn-engineconn.js';
import { ensureOsUser } from './spawn-manager.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('engineconn start (end to end)', () => {
  const spawn = spawnerForSuite();
  const start = (args: string[]) => spawn(['--engine', TEST_ENGINE, ...args]);

  test('writes the ready file, prints the URL and a submit hint, and serves', async () => {
    // As root, --user names an OS account the EngineConn then runs as.
    ensureOsUser('ec-carol');
    const ec = await start(['--label', 'creator=e2e', '--user', 'ec-carol']);
    assert.equal(ec.pid, ec.child.pid);
    assert.match(ec.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(ec.id, /^ec-/);
    await waitFor(() => ec.stdout().includes('npx engineconn submit'), { what: 'the submit hint' });
    assert.ok(ec.stdout().includes(ec.url));
    const info = await ec.api<{ status: string; owner: string; labels: Record<string, string> }>(
      'GET',
      '/api/v1/engineconn',
    );
    assert.equal(info.status, 200);
    assert.equal(info.body.status, 'Unlock');
    assert.equal(info.body.owner, 'ec-carol');
    assert.equal(info.body.labels.userCreator, 'ec-carol-e2e');
    assert.equal(info.body.labels.engineType, 'test-1.0');
    const submitted = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'select 42' });
    assert.equal(submitted.status, 202);
    assert.equal((await taskFinished(ec, submitted.body.id)).status, 'Succeed');
  });

  test('SIGTERM drains the running task, then exits 0 and removes the ready file', async () => {
    const ec = await start([]);
    const gate = await createFileGate();
    after(() => gate.remove());
    // Held at its gate until the drain has begun, so the signal comes while it runs however slow the machine.
    const { body } = await ec.api<{ id: string }>('POST', '/api/v1/tasks', {
      code: `file-gate ${gate.path}; select 1`,
    });
    const stream = await fetch(`${ec.url}/api/v1/tasks/${body.id}/events`, {
      headers: { authorization: `Bearer ${ec.token}` },
    });
    const text = stream.text();
    ec.child.kill('SIGTERM');
    await waitFor(async () => (await fetch(`${ec.url}/readyz`)).status === 503, { what: 'the drain to begin' });
    await gate.open();
    const exit = await ec.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    const events = parseSse(await text).events;
    assert.deepEqual(events.at(-1)?.data && (events.at(-1)!.data as { status: string }).status, 'Succeed');
    assert.equal(await exists(ec.readyFile), false);
  });

  test('idle release waits for a running task, then exits 0', async () => {
    // The task outlives the free time, so the idle check comes due mid-task. The end is told by the
    // task's event stream: quiet while the task sleeps, it keeps nothing alive. A machine too slow
    // to submit within the free time gets a longer one (see submitBeforeIdleRelease).
    const { ec, id } = await submitBeforeIdleRelease(
      async (ms) => ({ ec: await start(['--max-free-time', `${ms}ms`]) }),
      (ms) => `sleep ${ms + 1000}`,
    );
    let exited = false;
    void ec.exited.then(() => {
      exited = true;
    });
    const stream = await fetch(`${ec.url}/api/v1/tasks/${id}/events`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${ec.token}` },
    });
    const done = parseSse(await stream.text()).events.at(-1);
    assert.equal(done?.event, 'done');
    assert.equal(
      (done?.data as { status?: string } | undefined)?.status,
      'Succeed',
      'the task was not killed by idle release',
    );
    assert.equal(exited, false, 'the EC did not exit while the task ran');
    assert.deepEqual(await ec.exited, { code: 0, signal: null });
  });

  test('a second SIGINT exits at once without waiting for the drain', async () => {
    const ec = await start(['--conf', 'ec.shutdownGrace=60s']);
    await ec.api('POST', '/api/v1/tasks', { code: 'sleep 60000' });
    ec.child.kill('SIGINT');
    await waitFor(async () => (await fetch(`${ec.url}/readyz`)).status === 503, { what: 'the drain to begin' });
    ec.child.kill('SIGINT');
    assert.deepEqual(await ec.exited, { code: 130, signal: null });
  });

  test('a 20 MB body is 413 EC_PAYLOAD_TOO_LARGE over real HTTP, and the EC keeps serving', async () => {
    const ec = await start([]);
    const res = await fetch(`${ec.url}/api/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ec.token}` },
      body: JSON.stringify({ code: 'x'.repeat(20 * 1024 * 1024) }),
    });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'EC_PAYLOAD_TOO_LARGE');
    const next = await ec.api('POST', '/api/v1/tasks', { code: 'select 1' });
    assert.equal(next.status, 202);
  });

  test('an unknown engine fails the start with a clear message and exit 1', async () => {
    const run = await runEngineConn(['start', '--engine', 'nosuch', '--port', '0']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /engineconn: failed to start: Unknown engine 'nosuch'\. Known engines: duckdb/);
  });

  test('a failing engine session fails the start with its cause and exit 1', async () => {
    const run = await runEngineConn([
      'start',
      '--engine',
      TEST_ENGINE,
      '--port',
      '0',
      '--conf',
      'test.failSession=no database',
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /engineconn: failed to start: .*no database/);
  });

  test('bad flags and a malformed auth file fail with EC_CONFIG_INVALID', async () => {
    const port = await runEngineConn(['start', '--engine', TEST_ENGINE, '--port', 'seventy']);
    assert.equal(port.code, 1);
    assert.match(
      port.stderr,
      /^engineconn: failed to start: option '--port <port>' argument 'seventy' is invalid\. It must be a whole number from 0 to 65535\. \[EC_CONFIG_INVALID\]\n/,
    );
    const level = await runEngineConn(['start', '--engine', TEST_ENGINE, '--log-level', 'loud']);
    assert.equal(level.code, 1);
    assert.match(level.stderr, /failed to start: .*'loud' is invalid\. Allowed choices are trace, debug, info/);
    const auth = await runEngineConn([
      'start',
      '--engine',
      TEST_ENGINE,
      '--port',
      '0',
      '--auth-file',
      '/nonexistent/auth.json',
    ]);
    assert.equal(auth.code, 1);
    assert.match(auth.stderr, /failed to start: Cannot read the auth file .* \[EC_CONFIG_INVALID\]/);
  });

  test('a port in use fails the start with exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const run = await runEngineConn(['start', '--engine', TEST_ENGINE, '--port', String(port)]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /failed to start: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
