import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { openShell, type ShellFixture } from './test-support.js';

describe('shell engine output', () => {
  let shell: ShellFixture;
  before(async () => {
    shell = await openShell({ 'shell.env.FROM_OPTION': 'option-value' });
  });
  after(() => shell.close());

  test('stdout becomes one TEXT result set and each line is logged', async () => {
    const { task, done } = shell.start("echo hello; printf 'a\\nb'");
    await done;
    assert.equal(task.resultSets.length, 1);
    assert.equal(task.resultSets[0]?.type, 'TEXT');
    assert.equal(task.resultSets[0]?.closed, true);
    assert.equal(task.text(0), 'hello\na\nb');
    assert.deepEqual(task.logs, ['hello', 'a', 'b']);
  });

  test('a task with no stdout opens no result set', async () => {
    const { task, done } = shell.start('true');
    await done;
    assert.equal(task.resultSets.length, 0);
  });

  test('stdout and stderr lines all reach the log, each stream in order', async () => {
    const { task, done } = shell.start('for i in $(seq 1 500); do echo out$i; echo err$i >&2; done');
    await done;
    const out = task.logs.filter((line) => line.startsWith('out'));
    const err = task.logs.filter((line) => line.startsWith('err'));
    assert.equal(task.logs.length, 1000);
    assert.deepEqual(
      out,
      Array.from({ length: 500 }, (_, i) => `out${i + 1}`),
    );
    assert.deepEqual(
      err,
      Array.from({ length: 500 }, (_, i) => `err${i + 1}`),
    );
    assert.equal(task.text(0), out.map((line) => `${line}\n`).join(''));
  });

  test('a non-zero exit fails with the code and the last stderr lines', async () => {
    const { done } = shell.start('for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 3');
    await assert.rejects(done, (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_ERROR');
      assert.match(err.message, /exited with code 3/);
      assert.match(err.message, /line3\nline4\nline5\nline6\nline7$/);
      assert.doesNotMatch(err.message, /line2/);
      return true;
    });
  });

  test('a shell killed by a signal names the signal', async () => {
    const { done } = shell.start('kill -SEGV $$');
    await assert.rejects(done, /killed by signal SIGSEGV/);
  });

  test('cwd and env come from task properties and shell.env.* options', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'shell-cwd-')));
    try {
      const { task, done } = shell.start('pwd; echo "$FROM_TASK $FROM_OPTION"', {
        properties: { cwd: dir, env: { FROM_TASK: 'task-value' } },
      });
      await done;
      assert.equal(task.text(0), `${dir}\ntask-value option-value\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without a cwd property the task runs in its own work directory', async () => {
    const { task, done } = shell.start('pwd');
    await done;
    assert.equal(task.text(0), `${realpathSync(task.context.workDir)}\n`);
  });

  test('a missing cwd or a non-string env value is a bad request', async () => {
    await assert.rejects(shell.start('true', { properties: { cwd: '/no/such/dir' } }).done, {
      code: 'EC_BAD_REQUEST',
    });
    await assert.rejects(shell.start('true', { properties: { env: { N: 1 } } }).done, {
      code: 'EC_BAD_REQUEST',
    });
  });

  test('invalid UTF-8 becomes U+FFFD and a character split across chunks survives', async () => {
    const { task, done } = shell.start(
      "printf 'ok \\xff\\xfe end\\n'; printf '\\xe2\\x82'; sleep 0.05; printf '\\xac\\n'",
      {},
    );
    await done;
    assert.equal(task.text(0), 'ok \uFFFD\uFFFD end\n\u20AC\n');
    assert.deepEqual(task.logs, ['ok \uFFFD\uFFFD end', '\u20AC']);
  });

  test('concurrent tasks keep their output apart', async () => {
    const runs = Array.from({ length: 8 }, (_, n) => shell.start(`for i in $(seq 1 3000); do echo t${n}-$i; done`));
    await Promise.all(runs.map((run) => run.done));
    runs.forEach(({ task }, n) => {
      const expected = Array.from({ length: 3000 }, (_, i) => `t${n}-${i + 1}`);
      assert.deepEqual(task.logs, expected);
      assert.equal(task.text(0), expected.map((line) => `${line}\n`).join(''));
    });
  });
});

describe('shell engine output cap', () => {
  const cap = 1024 * 1024;
  let shell: ShellFixture;
  before(async () => {
    shell = await openShell({ 'shell.maxOutputBytes': String(cap) });
  });
  after(() => shell.close());

  test('past shell.maxOutputBytes output is drained and counted, memory stays bounded', async (t) => {
    const total = 1_000_000_000;
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      const { task, done } = shell.start(`head -c ${total} /dev/zero | tr '\\0' a; echo done >&2`);
      await done;
      assert.equal(task.text(0).length, cap);
      assert.ok(task.logs.includes('done'), 'the shell ran to its end');
      const note = task.logs.find((line) => line.includes('stdout: kept'));
      assert.equal(note, `[engineconn] stdout: kept ${cap} bytes, cut ${total - cap} bytes past shell.maxOutputBytes`);
    } finally {
      clearInterval(sampler);
    }
    const grownMiB = (peak - baseline) / 1024 / 1024;
    t.diagnostic(`1 GB of stdout: rss peak grew by ${grownMiB.toFixed(1)} MiB`);
    assert.ok(grownMiB < 128, `rss grew by ${grownMiB.toFixed(1)} MiB`);
  });
});
