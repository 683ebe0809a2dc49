import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AskAnswer } from '@engineconn/core/manager';
import { waitFor } from '@engineconn/testkit';
import { runEngineConn } from './spawn-engineconn.js';
import { AS_ROOT, BOB, isAlive, type ManagerHarness, managerHarness, type SpawnedManager } from './spawn-manager.js';

/** Runs `cat FILE` as another OS user: what a local user, or any of their tasks, could read. */
function catAs(user: string, file: string): { code: number | null; stdout: string } {
  const run = spawnSync('runuser', ['-u', user, '--', 'cat', file], { encoding: 'latin1' });
  return { code: run.status, stdout: run.stdout };
}

describe("the manager against other OS users and its engines' own (end to end)", {
  skip: !AS_ROOT && 'not root',
}, () => {
  let harness: ManagerHarness;
  let manager: SpawnedManager;
  let alice: AskAnswer;
  before(async () => {
    harness = await managerHarness();
    manager = await harness.start(['--stop-grace', '1s']);
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

  test("a forged register can neither point the manager's kill at another process nor move the engine's URL", async () => {
    const { pid, id } = alice.engine;
    // The engine's own user can read its environment (and so its report secret) from /proc.
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    const secret = environ.find((v) => v.startsWith('ENGINECONN_MANAGER_SECRET='))?.split('=')[1];
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const dataDir = cmdline[cmdline.indexOf('--data-dir') + 1] as string;
    assert.ok(secret && dataDir);
    // A process that is not the engine, though its command line names the engine's directory.
    const decoy = spawn('sh', ['-c', 'sleep 1000', dataDir], { detached: true, stdio: 'ignore' });
    const decoyExited = new Promise((resolve) => decoy.once('exit', resolve));
    const register = {
      id,
      url: alice.engine.url,
      pid: decoy.pid,
      engineType: 'duckdb',
      engineVersion: '1',
      executor: alice.engine.executor,
      labels: alice.engine.labels,
      user: alice.engine.user,
      startedAt: alice.engine.startedAt,
    };
    try {
      const forged = await fetch(`${manager.url}/api/v1/engineconns/${id}/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(register),
      });
      assert.equal(forged.status, 200);
      const moved = await fetch(`${manager.url}/api/v1/engineconns/${id}/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...register, url: 'http://127.0.0.1:1' }),
      });
      assert.equal(moved.status, 403);
      const asked = await manager.api<AskAnswer>('POST', '/api/v1/engines/ask', { engineType: 'duckdb' });
      assert.equal(asked.body.engine.url, alice.engine.url, 'the ask still hands out the real URL');
      const listed = await manager.api<{ engines: { id: string; pid: number }[] }>('GET', '/api/v1/engines');
      assert.equal(listed.body.engines.find((e) => e.id === id)?.pid, pid);
      assert.equal((await manager.api('DELETE', `/api/v1/engines/${id}`)).status, 202);
      await waitFor(() => !isAlive(pid), { what: 'the engine to stop', timeoutMs: 20_000 });
      assert.ok(isAlive(decoy.pid as number), 'the decoy was killed');
    } finally {
      decoy.kill('SIGKILL');
      await decoyExited;
    }
  });

  test('as root, an auth file others may read fails the start with EC_CONFIG_INVALID', async () => {
    const readable = join(harness.dir, 'readable-auth.json');
    await copyFile(join(harness.dir, 'auth.json'), readable);
    await chmod(readable, 0o644);
    const run = await runEngineConn(
      ['manager', 'start', '--port', '0', '--auth-file', readable, '--data-dir', join(harness.dir, 'other')],
      20_000,
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /auth file .* is readable by others.*\[EC_CONFIG_INVALID\]/);
  });
});
