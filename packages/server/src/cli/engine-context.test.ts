import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defineEngine, type EnginePlugin } from '@engineconn/core';
import { createTestEngine } from '@engineconn/testkit';
import { resolveEngineContext } from './engine-context.js';

const plugin: EnginePlugin<unknown> = defineEngine({
  ...(createTestEngine() as EnginePlugin<unknown>),
  defaultOptions: { 'ec.concurrency': '2', 'a.fromDefaults': 'd', 'b.overridden': 'd' },
  defaultLabels: { engine: 'test', tier: 'default' },
});

describe('resolveEngineContext', () => {
  test('options merge engine defaults < config file < --conf < dedicated flags', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ec-ctx-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ 'b.overridden': 'file', 'c.fromFile': 'file', ec: { concurrency: 3 } }));
    const { context } = await resolveEngineContext(plugin, {
      config,
      conf: ['c.fromFile=conf', 'ec.concurrency=5', 'ec.maxFreeTime=1h'],
      concurrency: '7',
      maxFreeTime: '10s',
      manager: 'http://manager:9000',
      dataDir: dir,
    });
    assert.equal(context.options['a.fromDefaults'], 'd');
    assert.equal(context.options['b.overridden'], 'file');
    assert.equal(context.options['c.fromFile'], 'conf');
    assert.equal(context.options['ec.concurrency'], '7');
    assert.equal(context.options['ec.maxFreeTime'], '10s');
    assert.equal(context.options['ec.manager.url'], 'http://manager:9000');
    assert.equal(context.dataDir, dir);
  });

  test('labels: engine defaults and the Linkis labels, then --label', async () => {
    const { context, dataDirDefaulted } = await resolveEngineContext(
      plugin,
      { user: 'alice', executor: 'serial', label: ['creator=IDE', 'tier=gold', 'engineType=test-1.0'] },
      { id: 'ec-fixed' },
    );
    assert.equal(context.id, 'ec-fixed');
    assert.equal(context.user, 'alice');
    assert.equal(context.executor, 'serial');
    assert.deepEqual(context.labels, {
      engine: 'test',
      tier: 'gold',
      creator: 'IDE',
      engineType: 'test-1.0',
      userCreator: 'alice-IDE',
      codeType: 'test',
      executor: 'serial',
    });
    assert.ok(dataDirDefaulted);
    assert.match(context.dataDir, /engineconn[/\\]ec-fixed$/);
  });

  test('a --label userCreator or codeType overrides the default; engineType and executor cannot be faked', async () => {
    const { context } = await resolveEngineContext(plugin, {
      user: 'root',
      label: ['userCreator=alice-IDE', 'codeType=sql'],
    });
    assert.equal(context.labels.userCreator, 'alice-IDE');
    assert.equal(context.labels.codeType, 'sql');
    await assert.rejects(
      resolveEngineContext(plugin, { label: ['engineType=fake'] }),
      /--label engineType is set by the EngineConn/,
    );
    await assert.rejects(resolveEngineContext(plugin, { label: ['executor=async'] }), /--label executor/);
  });

  test('the creator defaults to engineconn and ids are short and unique', async () => {
    const a = await resolveEngineContext(plugin, { user: 'bob' });
    const b = await resolveEngineContext(plugin, { user: 'bob' });
    assert.equal(a.context.labels.userCreator, 'bob-engineconn');
    assert.equal(a.context.executor, 'concurrent');
    assert.match(a.context.id, /^ec-[0-9a-f]{10}$/);
    assert.notEqual(a.context.id, b.context.id);
  });

  test('bad flags fail with EC_CONFIG_INVALID naming the flag', async () => {
    await assert.rejects(resolveEngineContext(plugin, { executor: 'parallel' }), /--executor must be one of/);
    await assert.rejects(resolveEngineContext(plugin, { executor: 'once' }), /--executor must be one of/);
    await assert.rejects(resolveEngineContext(plugin, { concurrency: '0' }), /--concurrency/);
    await assert.rejects(resolveEngineContext(plugin, { maxFreeTime: 'soon' }), /ec\.maxFreeTime/);
    await assert.rejects(resolveEngineContext(plugin, { conf: ['oops'] }), /--conf expects key=value/);
  });
});
