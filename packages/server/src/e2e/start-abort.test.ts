import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { launch as launchEngineConn, TEST_ENGINE } from './spawn-engineconn.js';

// End to end: a signal while the engine's session opens abandons start-up through SessionEnv.signal.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function launch(args: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'ec-abort-'));
  const run = launchEngineConn([...args, '--data-dir', join(dir, 'data')], dir);
  cleanups.push(async () => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run.exited;
    await rm(dir, { recursive: true, force: true });
  });
  return { child: run.child, output: () => run.stdout() + run.stderr(), exited: run.exited };
}

const HOLD = ['--engine', TEST_ENGINE, '--conf', 'test.holdSession=1', '--log-level', 'info'];

describe('a signal during start-up (end to end)', () => {
  test('engineconn start: SIGTERM aborts createSession, and the process exits 143 saying so', async () => {
    const run = await launch(['start', '--port', '0', ...HOLD]);
    await waitFor(() => run.output().includes('test session held'), { what: 'the session to be held' });
    run.child.kill('SIGTERM');
    assert.deepEqual(await run.exited, { code: 143, signal: null });
    assert.match(run.output(), /test session saw start-up abandoned/, 'the engine saw SessionEnv.signal abort');
    assert.match(run.output(), /start-up interrupted by SIGTERM/);
    assert.doesNotMatch(run.output(), /listening on/);
  });

  test('engineconn once: SIGINT aborts createSession; the job never runs and the exit is 130', async () => {
    const run = await launch(['once', '--code', 'log 1', ...HOLD]);
    await waitFor(() => run.output().includes('test session held'), { what: 'the session to be held' });
    run.child.kill('SIGINT');
    assert.deepEqual(await run.exited, { code: 130, signal: null });
    assert.match(run.output(), /test session saw start-up abandoned/);
    assert.doesNotMatch(run.output(), /line 0/, 'the job did not run');
  });
});
