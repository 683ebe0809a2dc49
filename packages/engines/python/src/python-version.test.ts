import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { probeVersion } from '@engineconn/core';
import { defaultPythonCommand, probePythonVersion, versionFromFileName } from './python-version.js';

describe('the default interpreter version', () => {
  test('read from the name of the file the command links to, without starting it', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'py-version-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // Not an interpreter: reading the name must not run it.
    writeFileSync(join(dir, 'python3.42'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    symlinkSync(join(dir, 'python3.42'), join(dir, 'python3'));
    writeFileSync(join(dir, 'python'), '', { mode: 0o755 });
    assert.equal(versionFromFileName(join(dir, 'python3')), '3.42');
    assert.equal(versionFromFileName(join(dir, 'python')), null, 'a name without a version');
    assert.equal(versionFromFileName(join(dir, 'missing')), null);
    assert.equal(versionFromFileName('python3'), null, 'a command looked up on PATH is asked instead');
  });

  test("is the version this machine's interpreter reports itself", () => {
    assert.match(probePythonVersion(), /^\d+\.\d+$/);
    assert.equal(probePythonVersion(), probeVersion(defaultPythonCommand(), /Python (\d+\.\d+)/));
  });
});
