import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { askKeyOf } from '../engine-manager.js';
import { canAdmit, type EngineRecord, publicEngine } from './engine-record.js';
import { EngineRegistry } from './engine-registry.js';
import { RegistryStore } from './registry-store.js';

function record(overrides: Partial<EngineRecord> = {}): EngineRecord {
  return {
    id: 'ec-1',
    url: 'http://127.0.0.1:1',
    user: 'alice',
    engineType: 'duckdb',
    executor: 'concurrent',
    labels: {},
    status: 'Unlock',
    health: 'Healthy',
    pid: 123,
    startedAt: new Date(0).toISOString(),
    lastHeartbeatAt: null,
    running: 0,
    queued: 0,
    token: 'token',
    secret: 'secret',
    dataDir: '/nowhere',
    askKey: 'k',
    limit: 8,
    queueLimit: 1000,
    lastSeenMs: 0,
    ...overrides,
  };
}

describe('the engine registry', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-registry-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('survives a restart: what a first store wrote, a second one reads', () => {
    const first = new RegistryStore(join(dir, 'restart'));
    const registry = new EngineRegistry(first);
    registry.add(record());
    registry.update('ec-1', { status: 'Busy', running: 8 });
    registry.addJob({ id: 'job-1', user: 'alice', engineId: 'ec-1', taskId: 't-1', createdAt: 'x', final: null });
    first.close();
    const again = new EngineRegistry(new RegistryStore(join(dir, 'restart')));
    assert.equal(again.find('ec-1')?.status, 'Busy');
    assert.equal(again.find('ec-1')?.running, 8);
    assert.equal(again.visibleJob('job-1', { user: 'alice', admin: false }).taskId, 't-1');
    again.remove('ec-1');
    assert.equal(again.find('ec-1'), undefined);
    assert.throws(() => again.visibleJob('job-1', { user: 'alice', admin: false }), /No job/);
  });

  test('Lost is final, and others never see an engine', () => {
    const registry = new EngineRegistry(new RegistryStore(join(dir, 'final')));
    registry.add(record());
    registry.update('ec-1', { status: 'Lost', lostReason: 'gone' });
    assert.throws(
      () => registry.update('ec-1', { status: 'Unlock' }),
      (err: unknown) => {
        return err instanceof EngineConnError && err.code === 'EC_ILLEGAL_TRANSITION';
      },
    );
    assert.throws(() => registry.visible('ec-1', { user: 'bob', admin: false }), /No engine/);
    assert.equal(registry.visible('ec-1', { user: 'ops', admin: true }).id, 'ec-1');
    assert.equal('token' in publicEngine(registry.find('ec-1') as EngineRecord), false);
  });
});

describe('admission and the ask key', () => {
  test('serial admits only while Unlock; concurrent also while Busy with full slots and room in its queue', () => {
    assert.equal(canAdmit(record({ executor: 'serial', status: 'Unlock' })), true);
    assert.equal(canAdmit(record({ executor: 'serial', status: 'Busy', running: 1, limit: 1 })), false);
    assert.equal(canAdmit(record({ executor: 'serial', status: 'Idle' })), false);
    assert.equal(canAdmit(record({ status: 'Busy', running: 8, queued: 10 })), true);
    assert.equal(canAdmit(record({ status: 'Busy', running: 8, queued: 1000 })), false);
    // Busy below its limit: overloaded, not full.
    assert.equal(canAdmit(record({ status: 'Busy', running: 2 })), false);
    assert.equal(canAdmit(record({ health: 'UnHealthy' })), false);
    assert.equal(canAdmit(record({ status: 'Starting' })), false);
    assert.equal(canAdmit(record({ status: 'ShuttingDown' })), false);
  });

  test('the key ignores the order of labels and conf, and tells executors and conf apart', () => {
    const a = askKeyOf({ engineType: 'duckdb', labels: { a: '1', b: '2' }, conf: { x: '1', y: '2' } });
    const b = askKeyOf({ engineType: 'duckdb', labels: { b: '2', a: '1' }, conf: { y: '2', x: '1' } });
    assert.equal(a, b);
    assert.notEqual(a, askKeyOf({ engineType: 'duckdb', labels: { a: '1', b: '2' }, conf: { x: '1' } }));
    assert.notEqual(askKeyOf({ engineType: 'duckdb' }), askKeyOf({ engineType: 'duckdb', executor: 'serial' }));
    assert.notEqual(askKeyOf({ engineType: 'duckdb' }), askKeyOf({ engineType: 'shell' }));
  });
});
