import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineConnTask } from '../computation/engine-conn-task.js';
import { lifecyclePolicyFor, ONCE_POLICY, SERVICE_POLICY } from './lifecycle-policy.js';

const task = (status: string, terminal: boolean) => ({ status, terminal }) as unknown as EngineConnTask;

describe('lifecycle policies', () => {
  test('the executor chooses the policy: once for once, service for the rest', () => {
    assert.equal(lifecyclePolicyFor('once'), ONCE_POLICY);
    for (const executor of ['serial', 'concurrent', 'async'] as const)
      assert.equal(lifecyclePolicyFor(executor), SERVICE_POLICY);
  });

  test('service: serves Unlock, no job ends it (its first task is never looked up), a shutdown is a success', () => {
    assert.equal(SERVICE_POLICY.servingStatus, 'Unlock');
    assert.equal(
      SERVICE_POLICY.endedJob(() => assert.fail('a serving EngineConn looked its first task up')),
      undefined,
    );
    assert.equal(
      SERVICE_POLICY.endedJob(() => task('Failed', true)),
      undefined,
    );
    assert.equal(SERVICE_POLICY.shutdownStatus([task('Failed', true)]), 'Success');
  });

  test('once: serves Running, ends with its job, and a shutdown before the job succeeded fails', () => {
    assert.equal(ONCE_POLICY.servingStatus, 'Running');
    assert.equal(
      ONCE_POLICY.endedJob(() => undefined),
      undefined,
    );
    assert.equal(
      ONCE_POLICY.endedJob(() => task('Running', false)),
      undefined,
    );
    const done = task('Succeed', true);
    assert.equal(
      ONCE_POLICY.endedJob(() => done),
      done,
    );
    assert.equal(ONCE_POLICY.shutdownStatus([]), 'Success');
    assert.equal(ONCE_POLICY.shutdownStatus([done]), 'Success');
    assert.equal(ONCE_POLICY.shutdownStatus([task('Cancelled', true)]), 'Failed');
  });
});
