import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { pythonEngine } from './python-engine.js';
import { openPython } from './test-support.js';

describe('python engine: start-up', () => {
  test('the version is the interpreter major.minor and the health starts Healthy', async (t) => {
    const py = await openPython();
    t.after(() => py.close());
    assert.match(pythonEngine.version, /^3\.\d+$/);
    assert.equal(await pythonEngine.checkHealth?.(py.session), 'Healthy');
  });

  test('a python.command that does not exist fails the start with EC_ENGINE_START_FAILED', async () => {
    await assert.rejects(openPython({ 'python.command': '/no/such/python3' }), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(err.message, /\/no\/such\/python3/);
      return true;
    });
  });

  test('an interpreter that exits during start-up fails it with its stderr', async () => {
    await assert.rejects(openPython({ 'python.command': 'false' }), /did not start: it exited \(exit code 1\)/);
  });

  test('an interpreter that is not ready within python.startupTimeoutMs fails the start', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'py-start-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const silent = join(dir, 'silent-python');
    writeFileSync(silent, '#!/bin/sh\nexec sleep 1000\n', { mode: 0o755 });
    await assert.rejects(
      openPython({ 'python.command': silent, 'python.startupTimeoutMs': '200' }),
      /not ready within 200 ms/,
    );
  });
});
