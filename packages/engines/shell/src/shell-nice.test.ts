import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openShell } from './test-support.js';

// What `nice` prints is the nice value of the process it runs in: the task's own, inherited.
const niceOfTask = async (options: Record<string, string>): Promise<number> => {
  const shell = await openShell(options);
  try {
    const { task, done } = shell.start('nice; (nice) & wait');
    await done;
    const [own, child] = task.text(0).trim().split('\n').map(Number);
    assert.equal(child, own, 'a process the task starts inherits its value');
    return own ?? Number.NaN;
  } finally {
    await shell.close();
  }
};

test('a shell task runs ec.engineNice (10) lower than the event loop, and the processes it starts too', async () => {
  assert.equal(await niceOfTask({}), Math.min(19, getPriority() + 10));
  assert.equal(await niceOfTask({ 'ec.engineNice': '3' }), Math.min(19, getPriority() + 3));
});

test('ec.engineNice=0 runs shell tasks at the event loop own value', async () => {
  assert.equal(await niceOfTask({ 'ec.engineNice': '0' }), getPriority());
});

test('a task whose PATH has bash but not nice still starts niced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ec-shell-path-'));
  symlinkSync(execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim(), join(dir, 'bash'));
  const shell = await openShell();
  try {
    // `read` is a builtin: the nice value comes from /proc, with no program looked up on PATH.
    const { task, done } = shell.start('read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ n _ < /proc/$$/stat; echo $n', {
      properties: { env: { PATH: dir } },
    });
    await done;
    assert.equal(Number(task.text(0).trim()), Math.min(19, getPriority() + 10));
  } finally {
    await shell.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
