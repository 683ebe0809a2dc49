import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveNodeStatus, type NodeStatusInputs } from './derive-node-status.js';

const idle: Omit<NodeStatusInputs, 'executor'> = {
  current: 'Unlock',
  stopping: false,
  running: 0,
  full: false,
  lockHeld: false,
  overloaded: false,
  unhealthy: false,
};

describe('deriveNodeStatus', () => {
  test('serial: Busy while a task runs, else Idle while locked, else Unlock', () => {
    const serial = { ...idle, executor: 'serial' } as const;
    assert.equal(deriveNodeStatus(serial), 'Unlock');
    assert.equal(deriveNodeStatus({ ...serial, lockHeld: true }), 'Idle');
    assert.equal(deriveNodeStatus({ ...serial, lockHeld: true, running: 1, full: true }), 'Busy');
    assert.equal(deriveNodeStatus({ ...serial, current: 'Busy' }), 'Unlock');
    assert.equal(deriveNodeStatus({ ...serial, overloaded: true }), 'Unlock', 'overload does not make serial Busy');
  });

  test('concurrent and async: Busy while full, overloaded or UnHealthy, else Unlock', () => {
    for (const executor of ['concurrent', 'async'] as const) {
      const base = { ...idle, executor };
      assert.equal(deriveNodeStatus({ ...base, running: 3 }), 'Unlock', `${executor}: running but not full`);
      assert.equal(deriveNodeStatus({ ...base, running: 8, full: true }), 'Busy');
      assert.equal(deriveNodeStatus({ ...base, overloaded: true }), 'Busy');
      assert.equal(deriveNodeStatus({ ...base, unhealthy: true }), 'Busy');
      assert.equal(deriveNodeStatus({ ...base, current: 'Busy' }), 'Unlock');
      assert.equal(deriveNodeStatus({ ...base, lockHeld: true }), 'Unlock', 'a lock is not enforced');
    }
  });

  test('once: Busy while its job runs, otherwise where it is', () => {
    const once = { ...idle, executor: 'once', current: 'Running' } as const;
    assert.equal(deriveNodeStatus(once), 'Running');
    assert.equal(deriveNodeStatus({ ...once, running: 1, full: true }), 'Busy');
    assert.equal(deriveNodeStatus({ ...once, current: 'Busy' }), 'Busy');
  });

  test('outside serving, or once shutdown began, the status is left as it is', () => {
    for (const current of ['Starting', 'ShuttingDown', 'Success', 'Failed'] as const) {
      assert.equal(deriveNodeStatus({ ...idle, executor: 'concurrent', current, full: true }), current);
    }
    assert.equal(deriveNodeStatus({ ...idle, executor: 'serial', running: 1, stopping: true }), 'Unlock');
  });
});
