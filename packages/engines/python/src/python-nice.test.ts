import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { test } from 'node:test';
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
