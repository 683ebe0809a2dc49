import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/protocol/constants';
import { createTestRuntime } from './fixtures/script-engine.js';

function failsNaming(key: string, closest: string) {
  return (err: unknown) =>
    err instanceof EngineConnError &&
    err.code === 'EC_CONFIG_INVALID' &&
    err.message.includes(`'${key}'`) &&
    err.message.includes(`did you mean '${closest}'`);
}

describe('option keys', () => {
  test('an unknown ec.* key fails the start naming it and the closest known key', async () => {
    await assert.rejects(
      createTestRuntime({ options: { 'ec.queuelimit': '5' } }),
      failsNaming('ec.queuelimit', 'ec.queueLimit'),
    );
    await assert.rejects(
      createTestRuntime({ options: { 'ec.lock.timeot': '1m' } }),
      failsNaming('ec.lock.timeot', 'ec.lock.timeout'),
    );
  });

  test("an unknown key of the engine's namespace fails; other namespaces pass", async () => {
    await assert.rejects(
      createTestRuntime({ options: { 'script.failstart': 'x' } }),
      failsNaming('script.failstart', 'script.failStart'),
    );
    const runtime = await createTestRuntime({ options: { 'ec.queueLimit': '5', 'other.anything': '1' } });
    await runtime.shutdown();
  });
});
