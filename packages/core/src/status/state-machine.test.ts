import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/protocol/constants';
import { createNodeStatusMachine } from './node-status.js';
import { createTaskStatusMachine } from './task-status.js';

const illegal = (err: unknown) => err instanceof EngineConnError && err.code === 'EC_ILLEGAL_TRANSITION';

describe('NodeStatus machine', () => {
  test('follows the serial life: Starting → Unlock → Idle → Busy → Idle → Unlock → ShuttingDown → Success', () => {
    const m = createNodeStatusMachine();
    const seen: string[] = [];
    m.onTransition((from, to) => seen.push(`${from}>${to}`));
    for (const s of ['Unlock', 'Idle', 'Busy', 'Idle', 'Unlock', 'ShuttingDown', 'Success'] as const) m.transition(s);
    assert.equal(seen.length, 7);
    assert.ok(m.isTerminal());
  });

  test('the once life: Starting → Running → Busy → Failed', () => {
    const m = createNodeStatusMachine();
    for (const s of ['Running', 'Busy', 'Failed'] as const) m.transition(s);
    assert.ok(m.isTerminal());
  });

  test('illegal moves throw and leave the status unchanged', () => {
    const m = createNodeStatusMachine();
    assert.throws(() => m.transition('Busy'), illegal);
    assert.equal(m.current, 'Starting');
    m.transition('Unlock');
    m.transition('ShuttingDown');
    assert.throws(() => m.transition('Unlock'), illegal, 'ShuttingDown goes only to Success or Failed');
    m.transition('Success');
    assert.throws(() => m.transition('Failed'), illegal, 'Success is terminal');
  });
});

describe('task status machine', () => {
  test('reaches exactly one terminal status', () => {
    const m = createTaskStatusMachine();
    m.transition('Scheduled');
    m.transition('Running');
    m.transition('Succeed');
    for (const s of ['Failed', 'Cancelled', 'Timeout', 'Running'] as const)
      assert.throws(() => m.transition(s), illegal);
  });

  test('cannot skip Scheduled', () => {
    assert.throws(() => createTaskStatusMachine().transition('Running'), illegal);
  });
});
