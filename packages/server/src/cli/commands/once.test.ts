import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { BIN, type ProcessExit, runEngineConn, TEST_ENGINE } from '../../e2e/spawn-engineconn.js';
import { ManagerReceiver } from './manager-receiver.test-support.js';

// End to end: `engineconn once` as a process (docs/usage.md#one-off-jobs).

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const once = (args: string[], timeoutMs = 20_000) => runEngineConn(['once', ...args], timeoutMs);

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<ProcessExit>;
}

/** Spawns `engineconn once ARGS` and leaves it running, for the signal tests. */
async function start(args: string[]): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-once-'));
  const child = spawn(process.execPath, [BIN, 'once', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ENGINECONN_RUNTIME_DIR: join(dir, 'run') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** True while a live (non-zombie) process is in the group `pgid` (Linux /proc). */
async function groupAlive(pgid: number): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

describe('engineconn once', () => {
  test('a successful DuckDB job exits 0 and prints its result sets as a table, JSON or CSV', async () => {
    const code = "select 42 as answer, 'a,b' as label; select * from range(3) t(n)";
    const table = await once(['--engine', 'duckdb', '--code', code]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /^ answer \| label\n-+\+-+\n +42 \| a,b\n\(1 row\)\n\n n\n-+\n 0\n 1\n 2\n\(3 rows\)\n$/,
    );
    assert.match(table.stderr, /job \S+ Succeed/);

    const json = await once(['--engine', 'duckdb', '--code', code, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.status, 'Succeed');
    assert.deepEqual(doc.resultSets[0].rows, [[42, 'a,b']]);
    assert.deepEqual(
      doc.resultSets[1].columns.map((c: { name: string }) => c.name),
      ['n'],
    );
    assert.deepEqual(doc.resultSets[1].rows, [[0], [1], [2]]);

    const csv = await once(['--engine', 'duckdb', '--code', code, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout, 'answer,label\r\n42,"a,b"\r\n\nn\r\n0\r\n1\r\n2\r\n');
  });

  test('prints NULL and cells as submit and results do, with the same table printer', async () => {
    const run = await once(['--engine', 'duckdb', '--code', "select null::integer as n, 'a\nb' as s"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, [' n    | s', '------+------', ' NULL | a\\nb', '(1 row)', ''].join('\n'));
  });

  test('--format json prints the rows as stored: a STRUCT keeps its field order, -0 and big integers', async () => {
    const json = await once([
      '--engine',
      'duckdb',
      '--code',
      "select {'2': 1, '1': 2, '__proto__': 3} s, -0.0::double z, 18446744073709551615::ubigint u",
      '--format',
      'json',
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.match(json.stdout, /"rows":\[\[\{"2":1,"1":2,"__proto__":3\},"-0","18446744073709551615"\]\]/);
  });

  test('a failing job exits 1 with the error on stderr', async () => {
    const run = await once(['--engine', 'duckdb', '--code', 'select * from no_such_table']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no_such_table/);
    assert.match(run.stderr, /job \S+ Failed/);
    assert.equal(run.stdout, '');
  });

  test('a failed job leaves no empty directory in the temp dir', async (t) => {
    const temp = await mkdtemp(join(tmpdir(), 'ec-once-tmp-'));
    t.after(() => rm(temp, { recursive: true, force: true }));
    const run = await runEngineConn(['once', '--engine', TEST_ENGINE, '--code', 'fail on purpose'], 20_000, {
      TMPDIR: temp,
    });
    assert.equal(run.code, 1);
    const left = await readdir(join(temp, 'engineconn')).catch(() => []);
    assert.deepEqual(left, [], 'no data directory is left behind');
  });

  test('logs stream to stderr as they come, results go to stdout', async () => {
    const run = await once(['--engine', TEST_ENGINE, '--code', 'log 3; text hello']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /line 0\nline 1\nline 2\n/);
    assert.equal(run.stdout, 'hello\n');
  });

  test('--timeout stops the job and exits 1', async () => {
    const run = await once(['--engine', TEST_ENGINE, '--code', 'sleep 30000', '--timeout', '200ms']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /job \S+ Timeout/);
  });

  test('bad flags and a failing start exit 1', async () => {
    const neither = await once(['--engine', 'duckdb']);
    assert.equal(neither.code, 1);
    assert.match(neither.stderr, /exactly one of --code CODE or --file FILE/);
    const format = await once(['--engine', 'duckdb', '--code', 'select 1', '--format', 'xml']);
    assert.equal(format.code, 1);
    assert.match(
      format.stderr,
      /^engineconn: option '--format <format>' argument 'xml' is invalid\. Allowed choices are table, json, csv\. \[EC_CONFIG_INVALID\]\n/,
    );
    const timeout = await once(['--engine', 'duckdb', '--code', 'select 1', '--timeout', 'soon']);
    assert.equal(timeout.code, 1);
    assert.match(
      timeout.stderr,
      /option '--timeout <duration>' argument 'soon' is invalid\. It must be a duration like/,
    );
    const bad = await once(['--engine', 'duckdb', '--code', 'select 1', '--conf', 'duckdb.threads=lots']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /duckdb\.threads/);
  });

  test('reports Running, Busy, Success and the release to a manager', async () => {
    const manager = await new ManagerReceiver().start();
    cleanups.push(() => manager.stop());
    const run = await once([
      ...['--engine', TEST_ENGINE, '--code', 'sleep 300; rows 2'],
      ...['--manager', manager.url, '--heartbeat-interval', '100ms'],
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(manager.invalid, []);
    assert.deepEqual(manager.lifecycle(), [
      'register',
      'status:Running',
      'status:Busy',
      'status:Success',
      'release:Success',
    ]);
    assert.equal(manager.reports[0]?.body.executor, 'once');
    assert.match(manager.reports.at(-1)?.body.reason, /once job Succeed/);
    assert.ok(manager.events().includes('heartbeat'));
  });

  test('a failed job is released as Failed with the job error', async () => {
    const manager = await new ManagerReceiver().start();
    cleanups.push(() => manager.stop());
    const run = await once(['--engine', TEST_ENGINE, '--code', 'fail broken on purpose', '--manager', manager.url]);
    assert.equal(run.code, 1);
    const release = manager.reports.at(-1);
    assert.equal(release?.event, 'release');
    assert.equal(release?.body.status, 'Failed');
    assert.deepEqual(release?.body.error, { code: 'EC_ENGINE_ERROR', message: 'broken on purpose' });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} kills the job's work, then exits 130 leaving no process behind`, async () => {
      const run = await start([
        ...['--engine', 'shell', '--code', 'echo "pgid=$$"; sleep 987', '--conf', `shell.cwd=${tmpdir()}`],
        ...['--port', '0', '--log-level', 'silent'],
      ]);
      const pgid = Number(
        (await waitFor(() => /pgid=(\d+)/.exec(run.stderr()), { timeoutMs: 15_000, what: 'the job to start' }))[1],
      );
      assert.ok(await groupAlive(pgid));
      // While it runs, the HTTP API shows the EngineConn busy with its one job.
      // The console URL printed at start carries the owner token.
      const [, url, token] = /serving on (http:\S+) \(console: \S+\?token=([^)\s]+)\)/.exec(run.stderr()) ?? [];
      assert.ok(url && token, run.stderr());
      const headers = { authorization: `Bearer ${decodeURIComponent(token)}` };
      const info = (await (await fetch(`${url}/api/v1/engineconn`, { headers })).json()) as {
        status: string;
        executor: string;
      };
      assert.deepEqual({ status: info.status, executor: info.executor }, { status: 'Busy', executor: 'once' });

      run.child.kill(signal);
      assert.deepEqual(await run.exited, { code: 130, signal: null });
      assert.equal(await groupAlive(pgid), false, 'the shell and its sleep are gone');
      assert.match(run.stderr(), /job \S+ Cancelled/);
    });
  }

  test('--port takes --public-url and --allow-origin, as start does', async () => {
    const run = await start([
      ...['--engine', 'shell', '--code', 'echo started; sleep 987', '--conf', `shell.cwd=${tmpdir()}`],
      ...['--port', '0', '--log-level', 'silent'],
      ...['--public-url', 'https://once.example.com', '--allow-origin', 'https://notebooks.example.com'],
    ]);
    const [, url, token] = await waitFor(
      () => /serving on (http:\S+) \(console: \S+\?token=([^)\s]+)\)/.exec(run.stderr()),
      { timeoutMs: 15_000, what: 'the API to be served' },
    );
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${url}/api/v1/engineconn`,
          { headers: { authorization: `Bearer ${decodeURIComponent(token!)}`, ...headers } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.once('error', reject);
        req.end();
      });
    assert.equal(await status({ host: 'once.example.com' }), 200);
    assert.equal(await status({ host: 'rebound.example.com' }), 403);
    assert.equal(await status({ origin: 'https://notebooks.example.com' }), 200);
    assert.equal(await status({ origin: 'https://evil.example.com' }), 403);
    run.child.kill('SIGTERM');
    await run.exited;
  });
});
