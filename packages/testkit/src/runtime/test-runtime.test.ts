import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { createTestEngine } from '../test-engine.js';
import { startTestRuntime } from './test-runtime.js';

test('startTestRuntime runs tasks as its owner and close() removes its data directory, once', async () => {
  const ec = await startTestRuntime({ plugin: createTestEngine(), user: 'alice' });
  assert.equal(ec.owner.user, 'alice');
  const info = await ec.submit('rows 3').finished;
  assert.equal(info.status, 'Succeed');
  assert.equal(info.owner, 'alice');
  const { dataDir } = ec.runtime.context;
  assert.equal(existsSync(dataDir), true);
  await Promise.all([ec.close(), ec.close()]);
  assert.equal(existsSync(dataDir), false);
  assert.equal(ec.runtime.status, 'Success');
});

test('a start that fails leaves no data directory behind', async () => {
  const before = new Set(readdirSync(tmpdir()));
  await assert.rejects(startTestRuntime({ plugin: createTestEngine(), options: { 'ec.concurrency': 'many' } }));
  const left = readdirSync(tmpdir()).filter((name) => name.startsWith('ec-test-test-') && !before.has(name));
  assert.deepEqual(left, []);
});
