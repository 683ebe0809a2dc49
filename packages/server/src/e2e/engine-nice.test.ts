import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { getPriority } from 'node:os';
import { describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { type SpawnedEngineConn, spawnerForSuite } from './spawn-engineconn.js';

const unsupported = existsSync('/proc/self/task') ? false : 'reading threads’ nice values needs /proc';

/** Each thread's nice value (field 19 of its stat; the fields start after the command's `)`). */
async function niceValues(pid: number): Promise<{ main: number; others: number[] }> {
  const others: number[] = [];
  let main = Number.NaN;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    if (Number(tid) === pid) main = nice;
    else others.push(nice);
  }
  return { main, others };
}

async function runTask(ec: SpawnedEngineConn): Promise<void> {
  const answer = await ec.api<{ status: string }>('POST', '/api/v1/tasks?wait=10s', { code: 'select 42' });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.status, 'Succeed');
}

describe('the engine’s threads yield to the event loop (end to end, real DuckDB)', { skip: unsupported }, () => {
  const spawn = spawnerForSuite();
  const base = getPriority();

  test('every thread but the main one runs ec.engineNice (10) lower; the main thread keeps its value', async () => {
    const ec = await spawn(['--engine', 'duckdb', '--concurrency', '4']);
    await runTask(ec);
    // DuckDB's workers and libuv's pool (started at the open) are swept at once; a thread started
    // later by the main thread is found by the next sweep, a few seconds on.
    const values = await waitFor(() => niceValues(ec.pid), {
      until: (v) => v.others.every((n) => n === Math.min(19, base + 10)),
      what: 'every thread but the main one at the engine nice value',
      timeoutMs: 20_000,
    });
    assert.equal(values.main, base);
    // V8's platform threads, libuv's pool (concurrency + 4) and DuckDB's workers.
    assert.ok(values.others.length >= 8, `threads: ${values.others.length}`);
    await runTask(ec);
  });

  test('ec.engineNice=0 leaves every thread at the process’s own value', async () => {
    const ec = await spawn(['--engine', 'duckdb', '--concurrency', '4', '--conf', 'ec.engineNice=0']);
    await runTask(ec);
    const values = await niceValues(ec.pid);
    assert.equal(values.main, base);
    assert.deepEqual(new Set(values.others), new Set([base]));
  });

  test('a bad ec.engineNice fails the start naming the option', async () => {
    await assert.rejects(spawn(['--engine', 'duckdb', '--conf', 'ec.engineNice=25']), /ec\.engineNice/);
  });
});
