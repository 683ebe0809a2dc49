import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { proc, waitFor } from '@engineconn/testkit';
import { openPython } from './test-support.js';

function hasCode(code: string, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof EngineConnError, String(err));
    assert.equal(err.code, code);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

describe('python engine: kill, crash and close', () => {
  test('a kill interrupts time.sleep in the same interpreter and the variables survive', async (t) => {
    const py = await openPython();
    t.after(() => py.close());
    await py.run('kept = "still here"');
    const pid = py.session.pid;
    const { task, done } = py.start('import time\nprint("sleeping")\ntime.sleep(1000)', { killGraceMs: 5000 });
    await waitFor(() => task.logs.includes('sleeping'), { what: 'the task to start' });
    const started = performance.now();
    task.controller.abort();
    await assert.rejects(done, hasCode('EC_TASK_CANCELLED', /KeyboardInterrupt/));
    const elapsed = performance.now() - started;
    t.diagnostic(`interrupt took ${elapsed.toFixed(1)} ms`);
    assert.equal(py.session.pid, pid, 'the same interpreter');
    assert.equal((await py.run('kept')).text(0), "'still here'");
  });

  test('a kill right after submit still interrupts the code', async (t) => {
    const py = await openPython();
    t.after(() => py.close());
    const pid = py.session.pid;
    const { task, done } = py.start('import time\ntime.sleep(1000)', { killGraceMs: 5000 });
    // After the request is written but (almost always) before the driver's acknowledgement is read:
    // the SIGINT must wait for it, or it would land in the driver instead of the code.
    setImmediate(() => task.controller.abort());
    await assert.rejects(done, hasCode('EC_TASK_CANCELLED', /KeyboardInterrupt/));
    assert.equal(py.session.pid, pid);
  });

  test('code that ignores SIGINT is stopped by restarting the interpreter', async (t) => {
    const py = await openPython();
    t.after(() => py.close());
    await py.run('lost = 1');
    const oldPid = py.session.pid;
    assert.ok(oldPid);
    // The code notes the SIGINT and runs on: what it printed after the interrupt proves the restart
    // did not come with it, which is what the grace is for.
    const code = [
      'import signal, time',
      'noted = []',
      'signal.signal(signal.SIGINT, lambda signum, frame: (print("got SIGINT"), noted.append(1)))',
      'print("ignoring")',
      'while True:',
      '    time.sleep(0.01)',
      '    if len(noted) == 1:',
      '        print("alive after SIGINT")',
      '        noted.append(2)',
    ].join('\n');
    const { task, done } = py.start(code, { killGraceMs: 1000 });
    await waitFor(() => task.logs.includes('ignoring'), { what: 'the task to start' });
    task.controller.abort();
    await assert.rejects(done, hasCode('EC_TASK_CANCELLED', /did not stop within 1000ms/));
    assert.deepEqual(task.logs, [
      'ignoring',
      'got SIGINT',
      'alive after SIGINT',
      '[engineconn] the interpreter did not stop within 1000ms and was restarted; variables were lost',
    ]);
    assert.deepEqual(proc.livePidsInGroup(oldPid), []);
    assert.notEqual(py.session.pid, oldPid);
    assert.equal(py.session.health(), 'Healthy');
    await assert.rejects(py.run('lost'), /NameError: name 'lost' is not defined/);
    assert.equal((await py.run('"fresh"')).text(0), "'fresh'");
  });

  test('os._exit fails the task as crashed and the next task gets a new interpreter', async (t) => {
    const py = await openPython();
    t.after(() => py.close());
    const oldPid = py.session.pid;
    await assert.rejects(
      py.run('print("before")\nimport os\nos._exit(3)'),
      hasCode('EC_ENGINE_CRASHED', /exit code 3/),
    );
    assert.notEqual(py.session.pid, oldPid);
    assert.equal((await py.run('1 + 1')).text(0), '2');
  });

  test('a segfault is reported with its signal, and the output before it is kept', async (t) => {
    const py = await openPython();
    t.after(() => py.close());
    const { task, done } = py.start('print("about to crash")\nimport ctypes\nctypes.string_at(0)');
    await assert.rejects(done, hasCode('EC_ENGINE_CRASHED', /signal SIGSEGV/));
    assert.equal(task.logs[0], 'about to crash');
    assert.equal((await py.run('"alive"')).text(0), "'alive'");
  });

  test('an interpreter killed from outside while idle is replaced and reported UnHealthy meanwhile', async (t) => {
    const py = await openPython();
    t.after(() => py.close());
    const oldPid = py.session.pid;
    assert.ok(oldPid);
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => py.session.health() === 'UnHealthy', { what: 'UnHealthy' });
    await waitFor(() => py.session.health() === 'Healthy' && py.session.pid !== oldPid, { what: 'a new interpreter' });
    assert.equal((await py.run('"back"')).text(0), "'back'");
  });

  test('closeSession leaves no python process behind, including children of user code', async () => {
    const py = await openPython();
    const pid = py.session.pid;
    assert.ok(pid);
    const child = await py.run('import subprocess\np = subprocess.Popen(["sleep", "1000"])\np.pid');
    const sleeperPid = Number(child.text(0));
    assert.deepEqual(proc.livePidsInGroup(pid).sort(), [pid, sleeperPid].sort());
    await py.close();
    assert.deepEqual(proc.livePidsInGroup(pid), []);
    assert.equal(py.session.health(), 'UnHealthy');
  });
});
