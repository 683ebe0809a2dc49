import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * What `engineconn start` loads without a manager: the boot, the run, and the server's modules
 * (http-server.ts). Listed as files, so the check sees what they import, not what this test does.
 */
const START_MODULES = [
  '../run-start.js',
  './boot-engine-conn.js',
  '../../http/app.js',
  '../../http/server-plugins.js',
  '../../metrics/metrics-plugin.js',
].map((path) => fileURLToPath(new URL(path, import.meta.url)));

test("an EngineConn without a manager builds none of the manager's schemas", async () => {
  // A fresh process: this one may have loaded the manager's modules through other tests' imports.
  const script = `
    const { z } = await import('zod');
    const { API_COMPONENTS } = await import('@engineconn/protocol');
    const named = () => Object.keys(z.toJSONSchema(API_COMPONENTS).schemas);
    for (const path of ${JSON.stringify(START_MODULES)}) await import(path);
    const atStart = named();
    await import('@engineconn/protocol/manager');
    process.stdout.write(JSON.stringify({ atStart, withManager: named() }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../../', import.meta.url)),
  });
  const { atStart, withManager } = JSON.parse(stdout) as { atStart: string[]; withManager: string[] };
  assert.ok(atStart.includes('TaskInfo'), "the EngineConn's own schemas are there");
  for (const id of ['AskRequest', 'Engine', 'JobView']) {
    assert.ok(!atStart.includes(id), `${id} is built at start`);
    assert.ok(withManager.includes(id), `${id} is in the './manager' entry`);
  }
});
