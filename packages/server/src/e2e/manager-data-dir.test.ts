import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AskAnswer } from '@engineconn/core/manager';
import { AS_ROOT, BOB, type ManagerHarness, managerHarness, type SpawnedManager } from './spawn-manager.js';

/** Runs `cat FILE` as another OS user: what a local user, or any of their tasks, could read. */
function catAs(user: string, file: string): { code: number | null; stdout: string } {
  const run = spawnSync('runuser', ['-u', user, '--', 'cat', file], { encoding: 'latin1' });
  return { code: run.status, stdout: run.stdout };
}

describe("the manager's data dir, seen by another OS user (end to end)", { skip: !AS_ROOT && 'not root' }, () => {
  let harness: ManagerHarness;
  let manager: SpawnedManager;
  let alice: AskAnswer;
  before(async () => {
    harness = await managerHarness();
    manager = await harness.start();
    const asked = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    alice = asked.body;
  });
  after(async () => {
    await harness?.close();
  });

  test("the registry, holding every engine's token and report secret, is the manager's alone", async () => {
    const registry = join(manager.dataDir, 'registry.sqlite');
    for (const file of [registry, `${registry}-wal`, `${registry}-shm`]) {
      assert.equal((await stat(file)).mode & 0o777, 0o600, file);
      const read = catAs(BOB, file);
      assert.notEqual(read.code, 0, `${BOB} read ${file}`);
      assert.ok(!read.stdout.includes(alice.engine.token), `${BOB} saw alice's engine token`);
    }
  });

  test("another user cannot list the engines' directories", async () => {
    const engines = join(manager.dataDir, 'engines');
    const listed = spawnSync('runuser', ['-u', BOB, '--', 'ls', engines], { encoding: 'utf8' });
    assert.notEqual(listed.status, 0, `${BOB} listed ${engines}: ${listed.stdout}`);
  });
});
