import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@engineconn/testkit';

const BIN = fileURLToPath(new URL('../../../bin/engineconn.cjs', import.meta.url));
const TEST_ENGINE = fileURLToPath(new URL('../../../../testkit/dist/test-engine.js', import.meta.url));

interface TaskRow {
  id: string;
  status: string;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; result: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  const result = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  Object.defineProperty(result, 'output', { get: () => out });
  return { child, result };
}

/** Output so far of a running command. */
const outputOf = (run: { result: Promise<Run> }) => (run.result as unknown as { output: { stderr: string } }).output;

describe('engineconn client commands against a real engineconn start', () => {
  let dir: string;
  let ec: ChildProcess;
  let ecExit: Promise<Run>;
  let url: string;
  let token: string;
  // The EngineConn and the CLI share a runtime directory, as one OS user's processes do.
  const env = () => ({ ENGINECONN_URL: url, ENGINECONN_RUNTIME_DIR: join(dir, 'run') });
  const cli = (...args: string[]) => start(args, env()).result;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-cli-'));
    const readyFile = join(dir, 'ready.json');
    const started = start(
      [
        'start',
        '--engine',
        TEST_ENGINE,
        '--port',
        '0',
        '--ready-file',
        readyFile,
        '--max-free-time',
        '0',
        '--data-dir',
        join(dir, 'data'),
        '--log-level',
        'warn',
      ],
      { ENGINECONN_RUNTIME_DIR: join(dir, 'run') },
    );
    ec = started.child;
    ecExit = started.result;
    await waitFor(
      async () => {
        try {
          ({ url, token } = JSON.parse(await readFile(readyFile, 'utf8')) as { url: string; token: string });
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 20_000, what: 'the EngineConn ready file' },
    );
  });

  after(async () => {
    if (ec.exitCode === null) ec.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('submit prints each result set as an aligned table, logs on stderr, and exits 0 on Succeed', async () => {
    const run = await cli('submit', 'log 3; rows 3; text hi');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      [' n | label', '---+-------', ' 0 | row 0', ' 1 | row 1', ' 2 | row 2', '(3 rows)', '', 'hi', ''].join('\n'),
    );
    assert.match(run.stderr, /line 0\nline 1\nline 2\n/);
    // A task this short ends within the submit's wait: one request, its final status shown.
    assert.match(run.stderr, /\] Succeed\n/);
    assert.match(run.stderr, /\] progress 100%\n/);
    assert.match(run.stderr, /Task t-\S+ Succeed in \d+ ms\n$/);
  });

  test('submit exits 1 on Failed and says why', async () => {
    const run = await cli('submit', '--transport', 'ws', 'fail the disk is on fire');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Task t-\S+ Failed .*: the disk is on fire \[EC_ENGINE_ERROR\]/);
  });

  test('Ctrl-C kills the task, waits for it to stop, and exits 130', async () => {
    const run = start(['submit', 'sleep 60000'], env());
    await waitFor(() => outputOf(run).stderr.includes('] Running'), { what: 'the task to run' });
    run.child.kill('SIGINT');
    const result = await run.result;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /killing task/);
    assert.match(result.stderr, /Task t-\S+ Cancelled/);
    const id = /Task (t-\S+) Cancelled/.exec(result.stderr)?.[1] as string;
    const tasks = JSON.parse((await cli('tasks', '--json')).stdout) as { id: string; status: string }[];
    assert.equal(tasks.find((t) => t.id === id)?.status, 'Cancelled');
  });

  // The moment that used to be lost: the task has just turned Running on the EngineConn while the
  // CLI is between the submit's answer and following it. Each round signals as soon as the poll sees
  // Running, which lands the signal at a slightly different point of the CLI each time.
  test('Ctrl-C just as the task starts running still kills it and exits 130, every time', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const list = async () =>
      ((await (await fetch(`${url}/api/v1/tasks?limit=20`, { headers })).json()) as { tasks: TaskRow[] }).tasks;
    for (let round = 0; round < 8; round++) {
      const known = new Set((await list()).map((t) => t.id));
      const run = start(['submit', '--wait', '0', 'sleep 60000'], env());
      let id = '';
      await waitFor(
        async () => {
          id = (await list()).find((t) => !known.has(t.id) && t.status === 'Running')?.id ?? '';
          return id !== '';
        },
        { intervalMs: 1, what: `round ${round}: the task to run` },
      );
      run.child.kill('SIGINT');
      const result = await run.result;
      assert.equal(result.code, 130, `round ${round}: ${result.signal ?? ''} ${result.stderr}`);
      let status = '';
      await waitFor(
        async () => {
          status = (await list()).find((t) => t.id === id)?.status ?? '';
          return status !== 'Running' && status !== 'Scheduled';
        },
        { what: `round ${round}: the task to end` },
      );
      assert.equal(status, 'Cancelled', `round ${round}`);
    }
  });

  test('a task outliving the wait is followed live: status, logs and progress stream', async () => {
    const run = await cli('submit', '--wait', '0', 'log 2; sleep 50; rows 1');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\] Running\nline 0\nline 1\n/);
    assert.match(run.stderr, /\] Succeed\n/);
    assert.match(run.stdout, / 0 \| row 0\n/);
  });

  test('Ctrl-C during the submit wait kills the task as soon as its id is known', async () => {
    const tasksNow = async () =>
      (
        (await (await fetch(`${url}/api/v1/tasks`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
          tasks: { id: string }[];
        }
      ).tasks.map((t) => t.id);
    const known = new Set(await tasksNow());
    const run = start(['submit', '--wait', '3s', 'sleep 60000'], env());
    let id = '';
    await waitFor(
      async () => {
        id = (await tasksNow()).find((t) => !known.has(t)) ?? '';
        return id !== '';
      },
      { what: 'the task to be submitted' },
    );
    run.child.kill('SIGINT');
    const result = await run.result;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /the task is killed as soon as the EngineConn answers with its id/);
    assert.match(result.stderr, new RegExp(`Task ${id} Cancelled`));
  });

  test('submit --json, --format csv and --file', async () => {
    const json = await cli('submit', '--json', 'rows 2');
    assert.equal(json.code, 0);
    const doc = JSON.parse(json.stdout) as { task: { status: string }; resultSets: { rows: unknown[][] }[] };
    assert.equal(doc.task.status, 'Succeed');
    assert.deepEqual(doc.resultSets[0]?.rows, [
      [0, 'row 0'],
      [1, 'row 1'],
    ]);
    const csv = await cli('submit', '--format', 'csv', 'rows 2');
    assert.equal(csv.stdout, 'n,label\r\n0,row 0\r\n1,row 1\r\n');
    const file = join(dir, 'code.txt');
    await writeFile(file, 'rows 1\n');
    const fromFile = await cli('submit', '--file', file);
    assert.match(fromFile.stdout, / 0 \| row 0\n\(1 row\)\n/);
    const both = await cli('submit', '--file', file, 'rows 1');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /Give the code or --file, not both/);
  });

  test('submit --property sets task properties; several sets are refused as one CSV and written one file each with --out', async () => {
    const timed = await cli('submit', '--property', 'timeout=50ms', 'sleep 30000');
    assert.equal(timed.code, 1, timed.stderr);
    assert.match(timed.stderr, /Timeout/);
    const refused = await cli('submit', '--format', 'csv', 'rows 1; rows 2');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /2 result sets, and csv holds one table: pass --out DIR/);
    const out = join(dir, 'out');
    const files = await cli('submit', '--format', 'csv', '--out', out, 'rows 1; text hi');
    assert.equal(files.code, 0, files.stderr);
    const id = /Task (t-\S+) Succeed/.exec(files.stderr)?.[1];
    assert.equal(await readFile(join(out, `${id}-0.csv`), 'utf8'), 'n,label\r\n0,row 0\r\n');
    assert.equal(await readFile(join(out, `${id}-1.txt`), 'utf8'), 'hi');
  });

  test('a truncated result set is exported with a warning on stderr', async () => {
    const run = await cli('submit', '--format', 'csv', '--property', 'timeout=100ms', 'open 2; sleep 30000');
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, 'n\r\n0\r\n1\r\n');
    assert.match(
      run.stderr,
      /warning: result set 0 is truncated: the task ended before it was complete \(2 rows written\)/,
    );
  });

  test('control characters in cells are escaped; a closed pipe ends a command quietly with 0', async () => {
    const run = await cli('submit', 'say \u001b[2J\u0007boom');
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes('\u001b') && !run.stdout.includes('\u0007'), run.stdout);
    assert.match(run.stdout, /say \\x1b\[2J\\x07boom/);
    const piped = start(['tasks'], env());
    piped.child.stdout?.destroy();
    const closed = await piped.result;
    assert.equal(closed.code, 0, closed.stderr);
    assert.doesNotMatch(closed.stderr, /EPIPE|at .*\.js/);
  });

  test('tasks, logs, results, status, kill, lock and unlock', async () => {
    const submitted = await cli('submit', 'log 2; rows 1500');
    const id = /Task (t-\S+) Succeed/.exec(submitted.stderr)?.[1] as string;

    const tasks = await cli('tasks');
    assert.equal(tasks.code, 0);
    assert.match(tasks.stdout, /^ id +\| status +\| progress \| run type \| owner +\| created +\| took +\| results\n/);
    assert.match(tasks.stdout, new RegExp(` ${id} \\| Succeed +\\| 100%`));

    assert.equal((await cli('logs', id)).stdout, 'line 0\nline 1\n');
    assert.equal((await cli('logs', id, '--follow', '--from', '1')).stdout, 'line 1\n');

    const csv = await cli('results', id, '--format', 'csv');
    assert.equal(csv.stdout.split('\r\n').length, 1502);
    const ndjson = await cli('results', id, '--index', '0', '--format', 'ndjson');
    assert.equal(ndjson.stdout.trimEnd().split('\n').length, 1500);
    const json = JSON.parse((await cli('results', id, '--index', '0', '--format', 'json')).stdout) as {
      rows: unknown[];
    };
    assert.equal(json.rows.length, 1500);
    const missing = await cli('results', id, '--index', '7');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no result set 7; it has 1/);

    const status = await cli('status');
    assert.match(status.stdout, /^executor +concurrent$/m);
    assert.match(status.stdout, /^engine +test 1.0$/m);

    const sleeper = start(['submit', 'sleep 60000'], env());
    await waitFor(() => /\[(t-\S+)\] Running/.test(outputOf(sleeper).stderr), { what: 'the task to run' });
    const sleeperId = /\[(t-\S+)\] Running/.exec(outputOf(sleeper).stderr)?.[1] as string;
    const killed = await cli('kill', sleeperId, '--wait');
    assert.equal(killed.stdout, `${sleeperId} Cancelled\n`);
    assert.equal((await sleeper.result).code, 130);

    const lock = await cli('lock', '--timeout', '1m');
    assert.equal(lock.code, 0);
    const token = lock.stdout.trim();
    assert.equal((await cli('unlock', token)).code, 0);
    const again = await cli('unlock', token);
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /\[EC_LOCK_NOT_FOUND\] \(the lock is already gone; take a fresh one with `engineconn lock`\)/,
    );
  });

  test('helpful errors: no EngineConn at the URL, an unknown task, a bad --format', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const dead = await start(['status', '--url', `http://127.0.0.1:${port}`]).result;
    assert.equal(dead.code, 1);
    assert.equal(
      dead.stderr,
      `engineconn: no EngineConn at http://127.0.0.1:${port}: start one with \`engineconn start\` [EC_UNREACHABLE] (check --url or ENGINECONN_URL (--manager or ENGINECONN_MANAGER for a manager))\n`,
    );
    const unknown = await cli('logs', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /\[EC_TASK_NOT_FOUND\] \(list your tasks with `engineconn tasks`\)/);
    const format = await cli('results', 'x', '--format', 'xml');
    assert.equal(format.code, 1);
    assert.match(
      format.stderr,
      /option '--format <format>' argument 'xml' is invalid\. Allowed choices are table, json, csv, ndjson\. \[EC_CONFIG_INVALID\]/,
    );
  });

  test('shutdown makes the EngineConn exit 0', async () => {
    const run = await cli('shutdown');
    assert.equal(run.code, 0, run.stderr);
    const exit = await ecExit;
    assert.equal(exit.code, 0, exit.stderr);
  });
});
