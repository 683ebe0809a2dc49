import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createFileGate, type FileGate, waitFor } from '@engineconn/testkit';
import {
  runEngineConn,
  type SpawnedEngineConn,
  spawnEngineConn,
  submitBeforeIdleRelease,
  TEST_ENGINE,
  taskFinished,
} from '../../e2e/spawn-engineconn.js';
import { ManagerReceiver } from './manager-receiver.test-support.js';

// End to end: a real `engineconn start` process reporting to a manager stand-in (docs/manager.md).

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function receiver(): Promise<ManagerReceiver> {
  const r = await new ManagerReceiver().start();
  cleanups.push(() => r.stop());
  return r;
}

async function fileGate(): Promise<FileGate> {
  const gate = await createFileGate();
  cleanups.push(() => gate.remove());
  return gate;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read fields of whichever heartbeat arrived
function beatsOf(manager: ManagerReceiver): any[] {
  return manager.reports.filter((r) => r.event === 'heartbeat').map((r) => r.body);
}

async function spawn(args: string[]): Promise<SpawnedEngineConn> {
  const ec = await spawnEngineConn(args);
  cleanups.push(() => ec.stop());
  return ec;
}

describe('manager reports from engineconn start', () => {
  test('a normal life: register, Unlock, Busy, Unlock, heartbeats, idle release, release', async () => {
    const gate = await fileGate();
    // The free time counts from start-up too: a machine too slow to submit within it gets a longer
    // one, and a manager stand-in of its own (see submitBeforeIdleRelease). The test waits for the
    // release, not for a time.
    const { ec, manager, id } = await submitBeforeIdleRelease(
      async (ms) => {
        const manager = await receiver();
        const ec = await spawn([
          ...['--engine', TEST_ENGINE, '--executor', 'serial', '--label', 'team=data'],
          ...['--manager', manager.url, '--max-free-time', `${ms}ms`, '--heartbeat-interval', '200ms'],
        ]);
        // An EngineConn that released itself first may never report Unlock: its exit ends the wait.
        const unlocked = manager.waitForEvent('status:Unlock');
        unlocked.catch(() => {});
        await Promise.race([unlocked, ec.exited]);
        return { ec, manager };
      },
      // The task waits at a gate until a heartbeat has shown it running, however late a busy machine sends it.
      () => `file-gate ${gate.path}`,
    );
    const busyBeat = await waitFor(() => beatsOf(manager).find((b) => b.status === 'Busy' && b.running === 1), {
      what: 'a heartbeat while the task runs',
    });
    await gate.open();
    assert.equal((await taskFinished(ec, id)).status, 'Succeed');
    await manager.waitForEvent('release:Success');
    assert.deepEqual(await ec.exited, { code: 0, signal: null });

    assert.deepEqual(manager.invalid, []);
    assert.deepEqual(manager.lifecycle(), [
      'register',
      'status:Unlock',
      'status:Busy',
      'status:Unlock',
      'status:ShuttingDown',
      'status:Success',
      'release:Success',
    ]);
    assert.ok(manager.reports.every((r) => r.id === ec.id));
    const register = manager.reports[0]?.body;
    assert.equal(register.url, ec.url);
    assert.equal(register.pid, ec.pid);
    assert.equal(register.executor, 'serial');
    assert.equal(register.labels.team, 'data');
    assert.equal(register.labels.engineType, 'test-1.0');
    assert.equal(register.labels.executor, 'serial');
    assert.match(register.labels.userCreator, /-engineconn$/);
    const shutdown = manager.reports.find((r) => r.event === 'status' && r.body.status === 'ShuttingDown')?.body;
    assert.match(shutdown.reason, /idle release/);
    const release = manager.reports.at(-1)?.body;
    assert.match(release.reason, /idle release/);
    assert.equal(release.error, undefined);

    // After the task, the periodic heartbeats (due every 200 ms, well before the free time of 3 s or more is up) and
    // the last one at exit: busy time includes the task and stops growing, idle time grows.
    const reports = manager.reports;
    const taskEnded = reports.findLastIndex((r) => r.event === 'heartbeat' && r.body.running === 1);
    const releasing = reports.findIndex((r) => r.event === 'status' && r.body.status === 'ShuttingDown');
    const idleBeats = reports.slice(taskEnded + 1).flatMap((r) => (r.event === 'heartbeat' ? [r.body] : []));
    assert.ok(
      reports.slice(taskEnded + 1, releasing).some((r) => r.event === 'heartbeat' && r.body.status === 'Unlock'),
      'a heartbeat reported the EngineConn free before the idle release',
    );
    const last = idleBeats.at(-1);
    assert.ok(last.busyMs > 0 && last.busyMs >= busyBeat.busyMs, `busyMs ${last.busyMs}: the task counted as busy`);
    assert.ok(
      idleBeats.every((b) => b.busyMs === last.busyMs),
      `busy time stopped growing when the task ended: ${idleBeats.map((b) => b.busyMs).join(',')}`,
    );
    assert.ok(
      idleBeats.every((b, i) => i === 0 || b.idleMs >= (idleBeats[i - 1]?.idleMs ?? 0)),
      `idle time never shrinks: ${idleBeats.map((b) => b.idleMs).join(',')}`,
    );
    assert.ok(last.idleMs > busyBeat.idleMs, `idle time grew after the task: ${busyBeat.idleMs} → ${last.idleMs}`);
    assert.equal(last.lockedMs, 0);
    assert.equal(last.labels.team, 'data');
    assert.ok(last.overload.usedMemory > 0 && last.overload.maxMemory > 0);
  });

  test('a start failure: register without a URL, Failed, and a release carrying the error', async () => {
    const manager = await receiver();
    const run = await runEngineConn([
      ...['start', '--engine', 'duckdb', '--port', '0', '--conf', 'duckdb.threads=lots'],
      ...['--manager', manager.url, '--log-level', 'silent'],
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /duckdb\.threads/);
    assert.deepEqual(manager.lifecycle(), ['register', 'status:Failed', 'release:Failed']);
    assert.equal(manager.reports[0]?.body.url, null);
    assert.equal(manager.reports[1]?.body.previous, 'Starting');
    const release = manager.reports[2]?.body;
    assert.equal(release.error.code, 'EC_CONFIG_INVALID');
    assert.match(release.error.message, /duckdb\.threads/);
    assert.match(release.reason, /start-up failed/);
    assert.ok(
      release.logTail.some((line: string) => /failed to start/.test(line)),
      'the release carries the tail of the log, even with the console silent',
    );
  });

  test('a manager that is down, then back: the EngineConn keeps serving, re-registers, ends right', async () => {
    const manager = await receiver();
    await manager.stop();
    const ec = await spawn([
      ...['--engine', TEST_ENGINE, '--executor', 'serial'],
      ...['--manager', manager.url, '--max-free-time', '0', '--heartbeat-interval', '100ms'],
    ]);
    // Unaffected while nobody answers: tasks run and the API answers.
    const first = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'rows 3' });
    assert.equal(first.status, 202);
    assert.equal((await taskFinished(ec, first.body.id)).status, 'Succeed');
    assert.equal(manager.reports.length, 0);

    await manager.start();
    await manager.waitForEvent('status:Unlock');
    assert.equal(manager.reports[0]?.event, 'register', 'the first thing a manager hears is the registration');

    // Down again with a status change in between; back: registered again before anything else.
    await manager.stop();
    const registered = manager.events().filter((e) => e === 'register').length;
    const second = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: 'sleep 200' });
    assert.equal((await taskFinished(ec, second.body.id)).status, 'Succeed');
    const beforeBack = manager.reports.length;
    await manager.start();
    await waitFor(() => manager.reports.length > beforeBack, { timeoutMs: 10_000, what: 'reports after the outage' });
    assert.equal(manager.reports[beforeBack]?.event, 'register');
    assert.equal(manager.events().filter((e) => e === 'register').length, registered + 1);

    assert.equal((await ec.api('POST', '/api/v1/engineconn/shutdown')).status, 202);
    await manager.waitForEvent('release:Success');
    assert.deepEqual(await ec.exited, { code: 0, signal: null });
    const statuses = manager.events((r) => r.event === 'status');
    assert.deepEqual(statuses.slice(-2), ['status:ShuttingDown', 'status:Success']);
    assert.equal(manager.lifecycle().at(-1), 'release:Success');
    assert.deepEqual(manager.invalid, []);
  });

  test('the health override: UnHealthy refuses new tasks and releases once none runs', async () => {
    const manager = await receiver();
    const gate = await fileGate();
    const ec = await spawn([
      ...['--engine', TEST_ENGINE, '--executor', 'concurrent'],
      ...['--manager', manager.url, '--max-free-time', '0', '--heartbeat-interval', '1h'],
    ]);
    await manager.waitForEvent('status:Unlock');
    const running = await ec.api<{ id: string }>('POST', '/api/v1/tasks', { code: `file-gate ${gate.path}` });
    assert.equal(running.status, 202);
    const marked = await ec.api<{ health: string }>('POST', '/api/v1/engineconn/health', { health: 'UnHealthy' });
    assert.equal(marked.status, 200);
    assert.equal(marked.body.health, 'UnHealthy');

    const refused = await ec.api<{ error: { code: string } }>('POST', '/api/v1/tasks', { code: 'rows 1' });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'EC_UNHEALTHY');
    // A health change is reported at once, not at the next (hourly) heartbeat.
    await waitFor(() => manager.reports.some((r) => r.event === 'heartbeat' && r.body.health === 'UnHealthy'), {
      what: 'an UnHealthy heartbeat',
    });
    assert.equal(manager.events().includes('release:Success'), false, 'the task held at its gate holds the release');

    // The release follows the task's end on its own; the task's event stream, open from before its
    // end, tells how it ended (the EngineConn is gone right after, so it cannot be asked).
    const events = await fetch(`${ec.url}/api/v1/tasks/${running.body.id}/events`, {
      headers: { authorization: `Bearer ${ec.token}` },
    });
    await gate.open();
    assert.match(await events.text(), /event: done\ndata: \{"status":"Succeed"/, 'the running task was let finish');
    await manager.waitForEvent('release:Success');
    assert.deepEqual(await ec.exited, { code: 0, signal: null });
    const release = manager.reports.at(-1)?.body;
    assert.match(release.reason, /UnHealthy/);
    const finalBeat = manager.reports.filter((r) => r.event === 'heartbeat').at(-1)?.body;
    assert.ok(finalBeat.busyMs > 0, `the task counted as busy (${finalBeat.busyMs} ms)`);
    assert.deepEqual(manager.lifecycle().slice(-3), ['status:ShuttingDown', 'status:Success', 'release:Success']);
  });
});
