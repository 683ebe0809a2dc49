import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isCancelled, proc, waitFor } from '@engineconn/testkit';
import { TASK_COOKIE_ENV } from './shell-task.js';
import { openShell, type ShellFixture } from './test-support.js';

/** The pids a task printed on stdout, one per line. */
function printedPids(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/**
 * Shell code that starts CMD in the background and prints its pid once it has left the task's
 * session, so that the shell cannot end (or be killed) while a busy machine has not yet run it.
 * Field 6 of /proc/PID/stat is the session id.
 */
function leftTheGroup(cmd: string): string {
  return `${cmd} & pid=$!; until [ "$(cut -d' ' -f6 /proc/$pid/stat)" = "$pid" ]; do sleep 0.01; done; echo $pid`;
}

describe('shell engine kill', () => {
  let shell: ShellFixture;
  before(async () => {
    shell = await openShell();
  });
  after(() => shell.close());

  test('an abort stops sleep 1000 with SIGTERM and leaves no process in the group', async (t) => {
    const { task, done } = shell.start('echo $$; exec sleep 1000', { killGraceMs: 5000 });
    await waitFor(() => task.resultSets.length > 0 && task.text(0).includes('\n'), { what: 'the pid' });
    const [pgid] = printedPids(task.text(0));
    assert.ok(pgid);
    const started = performance.now();
    task.controller.abort();
    await assert.rejects(done, isCancelled(/stopped with SIGTERM/));
    const elapsed = performance.now() - started;
    t.diagnostic(`kill took ${elapsed.toFixed(1)} ms`);
    assert.deepEqual(proc.livePidsInGroup(pgid), []);
  });

  test('a script that ignores SIGTERM is killed with SIGKILL after the grace period', async (t) => {
    // The script notes the SIGTERM and runs on until the test, having seen the note, answers; that it
    // could still print after the answer proves the force did not come with the polite signal, which is
    // what the grace is for. (The loop's sleep dies with the group's SIGTERM; the shell survives it.)
    const dir = await mkdtemp(join(tmpdir(), 'shell-kill-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const answered = join(dir, 'answered');
    const code = [
      "trap 'echo got-term; noted=1' TERM",
      'echo $$',
      `while :; do sleep 0.01; if [ "$noted" = 1 ] && [ -e ${answered} ]; then echo alive-after-term; noted=2; fi; done`,
    ].join('; ');
    const { task, done } = shell.start(code, { killGraceMs: 2000 });
    await waitFor(() => task.resultSets.length > 0 && task.text(0).includes('\n'), { what: 'the pid' });
    const [pgid] = printedPids(task.text(0));
    assert.ok(pgid);
    task.controller.abort();
    await waitFor(() => task.text(0).includes('got-term'), { what: 'the script to note the SIGTERM' });
    await writeFile(answered, '');
    await assert.rejects(done, isCancelled(/SIGKILL after 2000 ms/));
    // The sweep for processes that left the group may deliver a second SIGTERM; the first one counts.
    assert.match(task.text(0), new RegExp(`^${pgid}\ngot-term\n(got-term\n)?alive-after-term\n`));
    assert.deepEqual(proc.livePidsInGroup(pgid), []);
  });

  test('a kill stops background children of the group too', async () => {
    const { task, done } = shell.start('echo $$; sleep 1000 & echo $!; sleep 1000 & echo $!; wait');
    await waitFor(() => printedPids(task.resultSets.length > 0 ? task.text(0) : '').length === 3, {
      what: 'three pids',
    });
    const [pgid, ...children] = printedPids(task.text(0));
    assert.ok(pgid);
    assert.ok(children.every(proc.isAlive));
    task.controller.abort();
    await assert.rejects(done, isCancelled(/stopped with SIGTERM/));
    assert.deepEqual(proc.livePidsInGroup(pgid), []);
    assert.ok(!children.some(proc.isAlive));
  });

  test('a task that ends normally does not leave its background processes behind', async () => {
    const { task, done } = shell.start('echo $$; nohup sleep 1000 & echo $!; sleep 1000 >/dev/null 2>&1 & echo $!');
    await done;
    const [pgid, ...children] = printedPids(task.text(0));
    assert.ok(pgid);
    assert.equal(children.length, 2);
    assert.ok(!children.some(proc.isAlive));
    assert.deepEqual(proc.livePidsInGroup(pgid), []);
    assert.ok(task.logs.some((line) => line.includes('left 2 process(es) running in its process group')));
  });

  test('a process that left the group but holds the output is found by its cookie and stopped', async () => {
    const { task, done } = shell.start(leftTheGroup('setsid sleep 1000'), { killGraceMs: 300 });
    await done;
    const [stray] = printedPids(task.text(0));
    assert.ok(stray);
    assert.ok(!proc.isAlive(stray));
    assert.ok(task.logs.some((line) => line.includes('left the task') && line.includes(String(stray))));
  });

  test('a kill also finds processes that left the group', async () => {
    const { task, done } = shell.start(
      `${leftTheGroup('setsid sleep 1000 >/dev/null 2>&1 < /dev/null')}; sleep 1000`,
      {},
    );
    await waitFor(() => task.resultSets.length > 0, { what: 'the pid' });
    const [stray] = printedPids(task.text(0));
    assert.ok(stray);
    assert.ok(proc.isAlive(stray));
    task.controller.abort();
    await assert.rejects(done, isCancelled(/stopped with SIGTERM/));
    assert.ok(!proc.isAlive(stray));
  });

  test('every task process carries the cookie that identifies it', async () => {
    const { task, done } = shell.start(`echo "\${${TASK_COOKIE_ENV}}"`);
    await done;
    assert.match(task.text(0), /^[0-9a-f-]{36}\n$/);
  });

  test('a task aborted before it starts never spawns', async () => {
    const { task, done } = shell.start('echo ran');
    task.controller.abort();
    await assert.rejects(done, isCancelled(/before it started/));
    assert.equal(task.resultSets.length, 0);
  });
});
