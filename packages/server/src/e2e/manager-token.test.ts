import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { runEngineConn } from './spawn-engineconn.js';
import { AS_ROOT, type SpawnedManager, spawnManager } from './spawn-manager.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium to run the browser test`;

describe('engineconn manager without an auth file (end to end)', () => {
  let dir: string;
  let manager: SpawnedManager;
  let token: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-mgr-token-'));
    manager = await spawnManager(dir, ['--data-dir', join(dir, 'data')], 0);
    const readyFile = manager.readyFile;
    const ready = JSON.parse(await readFile(readyFile, 'utf8')) as { url: string; pid: number; token?: string };
    assert.equal(ready.url, manager.url);
    assert.ok(ready.token, 'the ready file carries the generated owner token');
    assert.equal((await stat(readyFile)).mode & 0o777, 0o600);
    token = ready.token;
  });
  after(async () => {
    manager.child.kill('SIGTERM');
    await manager.exited;
    await rm(dir, { recursive: true, force: true });
  });

  test('requires the generated token on every route but the probes', async () => {
    assert.equal((await fetch(`${manager.url}/api/v1/engines`)).status, 401);
    assert.equal((await fetch(`${manager.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${manager.url}/healthz`)).status, 200);
    const listed = await manager.api<{ engines: unknown[] }>('GET', '/api/v1/engines', undefined, token);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.engines, []);
    const metrics = await fetch(`${manager.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.match(await metrics.text(), /engineconn_manager_engines\{status="Unlock"\} 0/);
  });

  test('as root it never runs an engine as root: the owner root asking is 403', {
    skip: !AS_ROOT && 'not root',
  }, async () => {
    const asked = await manager.api<{ error: { code: string; message: string } }>(
      'POST',
      '/api/v1/engines/ask',
      { engineType: 'duckdb' },
      token,
    );
    assert.equal(asked.status, 403);
    assert.equal(asked.body.error.code, 'EC_FORBIDDEN');
    assert.match(asked.body.error.message, /never runs an engine as root/);
  });

  test('refuses a foreign Origin (same-origin rule)', async () => {
    const res = await fetch(`${manager.url}/api/v1/engines`, {
      headers: { authorization: `Bearer ${token}`, origin: 'http://evil.example' },
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'EC_FORBIDDEN_ORIGIN');
  });

  test('serves its console: engines and jobs, the token from ?token= kept out of the address bar', {
    skip,
  }, async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.setDefaultTimeout(15_000);
      await page.goto(`${manager.url}/?token=${token}`);
      await page.locator('#no-engines').waitFor();
      await page.locator('#no-jobs').waitFor();
      assert.equal(new URL(page.url()).searchParams.get('token'), null);
      assert.equal(await page.locator('#banner').isHidden(), true);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  test('the CLI of the same OS user finds the token by itself', async () => {
    const listed = await runEngineConn(['engines', '--manager', manager.url, '--json'], 10_000, {
      ENGINECONN_RUNTIME_DIR: join(dir, 'run'),
    });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });
});
