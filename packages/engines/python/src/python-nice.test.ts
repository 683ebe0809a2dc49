import assert from 'node:assert/strict';
import { syncBuiltinESMExports } from 'node:module';
import os, { getPriority } from 'node:os';
import { test } from 'node:test';
import { openEngineFixture } from '@engineconn/testkit';
import { pythonEngine } from './python-engine.js';
import { openPython } from './test-support.js';

// os.nice(0) answers the calling thread's nice value without changing it.
const NICE_OF_INTERPRETER_AND_CHILD =
  'import os, subprocess\n(os.nice(0), int(subprocess.run(["nice"], capture_output=True, text=True).stdout))';

test('the interpreter runs ec.engineNice (10) lower than the event loop, and the processes it starts too', async () => {
  const py = await openPython();
  try {
    const task = await py.run(NICE_OF_INTERPRETER_AND_CHILD);
    const value = Math.min(19, getPriority() + 10);
    assert.equal(task.text(0), `(${value}, ${value})`);
  } finally {
    await py.close();
  }
});

test('ec.engineNice=0 leaves the interpreter at the event loop own value', async () => {
  const py = await openPython({ 'ec.engineNice': '0' });
  try {
    const task = await py.run('import os\nos.nice(0)');
    assert.equal(task.text(0), String(getPriority()));
  } finally {
    await py.close();
  }
});

test('an interpreter started again after a crash runs ec.engineNice lower too', async () => {
  const py = await openPython({ 'ec.engineNice': '4' });
  try {
    const first = py.session.pid;
    await assert.rejects(py.run('import os\nos._exit(3)'));
    const task = await py.run(NICE_OF_INTERPRETER_AND_CHILD);
    assert.notEqual(py.session.pid, first, 'a new interpreter ran the task');
    const value = Math.min(19, getPriority() + 4);
    assert.equal(task.text(0), `(${value}, ${value})`);
  } finally {
    await py.close();
  }
});

test('a system that refuses to lower the interpreter leaves it at the event loop value, with a warning', async () => {
  // Root may always lower a process, so the refusal (a sandbox forbidding setpriority) is mocked:
  // os.setPriority throws as Node reports EPERM, for every importer of node:os.
  const setPriority = os.setPriority;
  os.setPriority = () => {
    throw Object.assign(new Error('A system error occurred: uv_os_setpriority returned EPERM'), {
      code: 'ERR_SYSTEM_ERROR',
      info: { code: 'EPERM' },
    });
  };
  syncBuiltinESMExports();
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (_: unknown, msg?: string) => warnings.push(msg ?? '') };
  try {
    const py = await openEngineFixture(pythonEngine, { runType: 'python', executor: 'serial', env: { logger } });
    try {
      assert.equal((await py.run('import os\nos.nice(0)')).text(0), String(getPriority()));
      assert.ok(
        warnings.some((w) => w.includes('refused')),
        JSON.stringify(warnings),
      );
    } finally {
      await py.close();
    }
  } finally {
    os.setPriority = setPriority;
    syncBuiltinESMExports();
  }
});
