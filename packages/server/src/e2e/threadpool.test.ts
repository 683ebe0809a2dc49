import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { type SpawnedEngineConn, spawnerForSuite, TEST_ENGINE } from './spawn-engineconn.js';

// libuv starts all of its pool's threads at once, so the pool's size shows as the difference in
// threads between two otherwise identical EngineConns: one told the default size (4), one not.
const unsupported = !existsSync('/proc/self/task')
  ? 'counting a process’s threads needs /proc'
  : process.env.UV_THREADPOOL_SIZE !== undefined
    ? 'UV_THREADPOOL_SIZE is set for the tests, so the EngineConn’s own sizing cannot be seen'
    : false;

async function threads(ec: SpawnedEngineConn): Promise<number> {
  // A request makes the EngineConn use its pool (if start-up did not already), which starts it.
  assert.equal((await ec.api('GET', '/api/v1/engineconn')).status, 200);
  return (await readdir(`/proc/${ec.pid}/task`)).length;
}

describe('the EngineConn’s libuv thread pool (end to end)', { skip: unsupported }, () => {
  const spawn = spawnerForSuite();
  const start = (args: string[], env: Record<string, string> = {}) =>
    spawn(['--engine', TEST_ENGINE, ...args], { env });

  test('is sized to --concurrency plus four when the environment does not size it', async () => {
    const baseline = await threads(await start(['--concurrency', '32'], { UV_THREADPOOL_SIZE: '4' }));
    const sized = await threads(await start(['--concurrency', '32']));
    assert.equal(sized - baseline, 32);
  });

  test('keeps the size the environment gives', async () => {
    const baseline = await threads(await start(['--concurrency', '32'], { UV_THREADPOOL_SIZE: '4' }));
    const given = await threads(await start(['--concurrency', '32'], { UV_THREADPOOL_SIZE: '6' }));
    assert.equal(given - baseline, 2);
  });
});
