import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { escalateKill } from './escalate-kill.js';
import { groupAlive, terminateGroup } from './process-group.js';

interface Child {
  process: ChildProcess;
  exited: Promise<NodeJS.Signals | null>;
}

/** A real node child running `code`; resolves once it printed `ready` (its signal handlers are set). */
async function child(code: string, opts: { detached?: boolean } = {}): Promise<Child> {
  const proc = spawn(process.execPath, ['-e', `${code}; console.log('ready'); setInterval(() => {}, 1000);`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: opts.detached ?? false,
  });
  const exited = once(proc, 'exit').then(([, signal]) => signal as NodeJS.Signals | null);
  proc.stdout?.setEncoding('utf8');
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: string) => {
      seen += chunk;
      if (seen.includes('ready')) resolve();
    });
    proc.once('exit', () => reject(new Error(`the child exited before it was ready: ${seen}`)));
  });
  return { process: proc, exited };
}

const IGNORES_TERM = "process.on('SIGTERM', () => {})";

function termThenKill(proc: ChildProcess) {
  return [
    { name: 'SIGTERM', run: () => proc.kill('SIGTERM') },
    { name: 'SIGKILL', run: () => proc.kill('SIGKILL') },
  ] as const;
}

describe('escalateKill', () => {
  test('a process that stops when asked politely is stopped by the first step, the force is never used', async () => {
    const c = await child('');
    const outcome = await escalateKill({ steps: termThenKill(c.process), graceMs: 60_000, stopped: c.exited });
    assert.equal(outcome.kind, 'stopped');
    assert.equal(outcome.kind === 'stopped' && outcome.step, 'SIGTERM');
    assert.equal(await c.exited, 'SIGTERM');
  });

  test('a process that ignores the polite step is forced after the grace', async () => {
    const c = await child(IGNORES_TERM);
    const outcome = await escalateKill({ steps: termThenKill(c.process), graceMs: 100, stopped: c.exited });
    assert.deepEqual(
      { kind: outcome.kind, step: outcome.kind === 'stopped' && outcome.step },
      {
        kind: 'stopped',
        step: 'SIGKILL',
      },
    );
    assert.equal(await c.exited, 'SIGKILL');
  });

  test('work that already stopped takes no step', async () => {
    const c = await child('');
    c.process.kill('SIGKILL');
    await c.exited;
    const taken: string[] = [];
    const outcome = await escalateKill({
      steps: [{ name: 'polite', run: () => taken.push('polite') }],
      graceMs: 100,
      stopped: c.exited,
    });
    assert.equal(outcome.kind, 'already-stopped');
    assert.deepEqual(taken, []);
  });

  test('a first step that finds nothing to stop (returns false) ends it as already stopped', async () => {
    const taken: string[] = [];
    const outcome = await escalateKill({
      steps: [
        { name: 'polite', run: () => false },
        { name: 'force', run: () => taken.push('force') },
      ],
      graceMs: 60_000,
      stopped: () => false,
    });
    assert.equal(outcome.kind, 'already-stopped');
    assert.deepEqual(taken, []);
  });

  test('a step that throws is reported and the next step is taken', async () => {
    const c = await child('');
    const errors: string[] = [];
    const outcome = await escalateKill({
      steps: [
        {
          name: 'broken',
          run: () => {
            throw new Error('no route to the server');
          },
        },
        { name: 'SIGKILL', run: () => c.process.kill('SIGKILL') },
      ],
      graceMs: 0,
      stopped: c.exited,
      onStepError: (step, err) => errors.push(`${step}: ${(err as Error).message}`),
    });
    assert.equal(outcome.kind === 'stopped' && outcome.step, 'SIGKILL');
    assert.deepEqual(errors, ['broken: no route to the server']);
  });

  test('a rejected step is reported, and its grace ran from when it was sent', async () => {
    const c = await child(IGNORES_TERM);
    const errors: string[] = [];
    const outcome = await escalateKill({
      steps: [
        // A cancel request that never answers must not hold the escalation up.
        { name: 'cancel', run: () => new Promise(() => {}) },
        { name: 'fails', run: () => Promise.reject(new Error('refused')) },
        { name: 'SIGKILL', run: () => c.process.kill('SIGKILL') },
      ],
      graceMs: 20,
      stopped: c.exited,
      onStepError: (step, err) => errors.push(`${step}: ${(err as Error).message}`),
    });
    assert.equal(outcome.kind === 'stopped' && outcome.step, 'SIGKILL');
    assert.deepEqual(errors, ['fails: refused']);
  });

  test('when even the last step does not stop it within lastStepWaitMs, the outcome says unconfirmed', async (t) => {
    const c = await child(IGNORES_TERM);
    t.after(() => c.process.kill('SIGKILL'));
    const outcome = await escalateKill({
      steps: [{ name: 'SIGTERM', run: () => c.process.kill('SIGTERM') }],
      graceMs: 0,
      lastStepWaitMs: 50,
      stopped: c.exited,
    });
    assert.equal(outcome.kind, 'unconfirmed');
    assert.equal(c.process.exitCode, null);
    assert.equal(c.process.signalCode, null);
  });

  test('the caller’s signal abandons the escalation before the force', async (t) => {
    const c = await child(IGNORES_TERM);
    t.after(() => c.process.kill('SIGKILL'));
    const abandon = new AbortController();
    const taken: string[] = [];
    const escalation = escalateKill({
      steps: [
        {
          name: 'SIGTERM',
          run: () => {
            taken.push('SIGTERM');
            queueMicrotask(() => abandon.abort());
            return c.process.kill('SIGTERM');
          },
        },
        { name: 'SIGKILL', run: () => taken.push('SIGKILL') },
      ],
      graceMs: 60_000,
      stopped: c.exited,
      signal: abandon.signal,
    });
    const outcome = await escalation;
    assert.deepEqual(outcome.kind === 'abandoned' && outcome.step, 'SIGTERM');
    assert.deepEqual(taken, ['SIGTERM']);
    assert.equal(c.process.signalCode, null);
  });

  test('a polled check works as well as a promise: a process group that ignores SIGTERM is killed', async () => {
    // bash ignores TERM and so does the sleep it starts (an ignored signal is inherited).
    const shell = spawn('bash', ['-c', 'trap "" TERM; sleep 1000 & echo ready; wait'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(shell.stdout!, 'data');
    const pgid = shell.pid!;
    assert.equal(groupAlive(pgid), true);
    assert.equal(await terminateGroup(pgid, 100), 'SIGKILL');
    assert.equal(groupAlive(pgid), false);
  });

  test('terminateGroup reports a group that stops on SIGTERM, and one that is already gone', async () => {
    const c = await child('', { detached: true });
    const pgid = c.process.pid!;
    assert.equal(await terminateGroup(pgid, 60_000), 'SIGTERM');
    await c.exited;
    assert.equal(await terminateGroup(pgid, 60_000), 'gone');
  });
});
