import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { defineEngine } from '../plugin/define-engine.js';
import { testCreationContext, testSessionEnv } from './creation-context.js';

const engine = defineEngine<object>({
  name: 'fixture',
  version: '1',
  defaultExecutor: 'serial',
  executors: ['serial'],
  runTypes: ['sql'],
  defaultOptions: { 'fixture.a': 'default', 'fixture.b': 'default' },
  createSession: async () => ({}),
  createExecutor: () => ({ execute: async () => {} }),
  closeSession: async () => {},
});

describe('testCreationContext', () => {
  test('fills what a test does not name with neutral values', () => {
    const ctx = testCreationContext();
    assert.deepEqual(
      { id: ctx.id, user: ctx.user, engineType: ctx.engineType, executor: ctx.executor, dataDir: ctx.dataDir },
      { id: 'ec-test', user: 'tester', engineType: 'test', executor: 'concurrent', dataDir: tmpdir() },
    );
    assert.deepEqual({ ...ctx.labels }, {});
    assert.deepEqual({ ...ctx.options }, {});
  });

  test('takes an engine’s name, default executor and default options under the given ones', () => {
    const ctx = testCreationContext({ plugin: engine, options: { 'fixture.b': 'given' }, user: 'alice' });
    assert.equal(ctx.engineType, 'fixture');
    assert.equal(ctx.executor, 'serial');
    assert.equal(ctx.user, 'alice');
    assert.deepEqual({ ...ctx.options }, { 'fixture.a': 'default', 'fixture.b': 'given' });
  });

  test('a named field wins over the engine’s', () => {
    const ctx = testCreationContext({ plugin: engine, executor: 'concurrent', engineType: 'other' });
    assert.equal(ctx.executor, 'concurrent');
    assert.equal(ctx.engineType, 'other');
  });
});

test('testSessionEnv gives a live signal and the concurrency asked for', () => {
  const env = testSessionEnv({ concurrency: 4 });
  assert.equal(env.concurrency, 4);
  assert.equal(env.signal.aborted, false);
  assert.equal(testSessionEnv().concurrency, 1);
});
