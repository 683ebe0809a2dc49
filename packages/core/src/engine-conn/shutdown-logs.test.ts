import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Caller } from '../computation/task-types.js';
import { waitFor } from '../testing/wait-for.js';
import { createTestRuntime } from './fixtures/script-engine.js';

const alice: Caller = { user: 'alice', admin: false };

test('the logs of tasks killed by a shutdown are on disk in the data directory', async () => {
  const runtime = await createTestRuntime({ options: { 'ec.shutdownGrace': '0' } });
  const running = runtime.submit({ code: 'log started\nsleep 60000' }, alice);
  const task = runtime.allTasks().find((t) => t.id === running.id);
  await waitFor(() => task?.status === 'Running' && task.log.lineCount > 0, { what: 'the task to log' });
  await runtime.shutdown('test shutdown');
  const file = join(runtime.context.dataDir, 'tasks', running.id, 'log.txt');
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  assert.equal(lines[0], 'started');
  assert.match(lines.join('\n'), /EngineConn shut down|stopping the task/);
});
