import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { testSessionEnv, waitFor } from '@engineconn/testkit';
import { duckdbEngine, duckdbVersion } from './duckdb-engine.js';
import { defaultExternalAccess } from './duckdb-options.js';
import { creationContext, openTestSession, tempDir } from './test-support/duckdb-test-session.js';

const env = () => testSessionEnv({ concurrency: 4 });

describe('duckdb engine plugin', () => {
  test('declares the contract defaults', () => {
    assert.equal(duckdbEngine.name, 'duckdb');
    assert.match(duckdbEngine.version, /^\d+\.\d+$/);
    assert.equal(duckdbEngine.defaultExecutor, 'concurrent');
    assert.deepEqual(duckdbEngine.executors, ['serial', 'concurrent', 'async', 'once']);
    assert.deepEqual(duckdbEngine.runTypes, ['sql']);
    assert.equal(duckdbEngine.defaultConcurrency, 8);
    assert.equal(duckdbEngine.defaultOptions?.['duckdb.path'], ':memory:');
    assert.equal(duckdbEngine.defaultOptions?.['duckdb.progressIntervalMs'], '200');
  });

  test('the version is the library major.minor', () => {
    assert.equal(duckdbVersion('v1.5.6'), '1.5');
    assert.equal(duckdbVersion('2.0.1-dev12'), '2.0');
  });

  test('bad options fail the start with EC_CONFIG_INVALID naming the key', async () => {
    for (const [options, key] of [
      [{ 'duckdb.threads': '0' }, 'duckdb.threads'],
      [{ 'duckdb.progressIntervalMs': 'soon' }, 'duckdb.progressIntervalMs'],
      [{ 'duckdb.readOnly': 'true' }, 'duckdb.readOnly'],
    ] as const) {
      await assert.rejects(duckdbEngine.createSession(creationContext(options), env()), (err: unknown) => {
        assert.ok(err instanceof EngineConnError);
        assert.equal(err.code, 'EC_CONFIG_INVALID');
        assert.ok(err.message.includes(key), err.message);
        return true;
      });
    }
  });

  test('a database that cannot be opened fails the start with EC_ENGINE_START_FAILED', async () => {
    const ctx = creationContext({ 'duckdb.path': '/nonexistent-dir/sub/db.duckdb' });
    await assert.rejects(duckdbEngine.createSession(ctx, env()), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_ENGINE_START_FAILED');
      assert.match(err.message, /Could not open DuckDB database '\/nonexistent-dir\/sub\/db.duckdb'/);
      return true;
    });
  });

  test('only sql code has an executor', async () => {
    const ec = await openTestSession();
    try {
      assert.throws(() => duckdbEngine.createExecutor(ec.session, 'python', creationContext()), /runs 'sql' code/);
    } finally {
      await ec.close();
    }
  });

  test('duckdb.threads and duckdb.memoryLimit reach DuckDB', async () => {
    const ec = await openTestSession({ 'duckdb.threads': '1', 'duckdb.memoryLimit': '512MB' });
    try {
      const task = await ec.run("select current_setting('threads') t, current_setting('memory_limit') m");
      assert.deepEqual(task.resultSets[0]?.rows, [[1, '488.2 MiB']]);
    } finally {
      await ec.close();
    }
  });
});

describe('duckdb.externalAccess (docs/security.md)', () => {
  const dir = tempDir('ec-duckdb-access-');
  after(() => dir.remove());

  test('the default: off as root or under share level server, on for one user running as themself', () => {
    assert.equal(defaultExternalAccess(creationContext(), 0), false);
    assert.equal(defaultExternalAccess(creationContext(), 1000), true);
    assert.equal(defaultExternalAccess(creationContext({ 'ec.shareLevel': 'user' }), 1000), true);
    assert.equal(defaultExternalAccess(creationContext({ 'ec.shareLevel': 'server' }), 1000), false);
  });

  test('false stops COPY … TO and read_text(); true allows them', async () => {
    const file = join(dir.path, 'out.csv');
    const closed = await openTestSession({ 'duckdb.externalAccess': 'false' });
    try {
      for (const sql of [`copy (select 1 as x) to '${file}'`, "select * from read_text('/etc/hostname')"]) {
        const task = await closed.run(sql).catch((err: unknown) => err);
        assert.match(String((task as Error).message), /disabled by configuration|external access/i, sql);
      }
      assert.equal(existsSync(file), false);
    } finally {
      await closed.close();
    }
    const open = await openTestSession({ 'duckdb.externalAccess': 'true' });
    try {
      await open.run(`copy (select 1 as x) to '${file}'`);
      assert.equal(existsSync(file), true);
    } finally {
      await open.close();
    }
  });

  test('a bad value fails the start with EC_CONFIG_INVALID naming the key', async () => {
    await assert.rejects(
      duckdbEngine.createSession(creationContext({ 'duckdb.externalAccess': 'maybe' }), env()),
      (err: unknown) =>
        err instanceof EngineConnError && err.code === 'EC_CONFIG_INVALID' && /externalAccess/.test(err.message),
    );
  });
});

describe('duckdb session', () => {
  const dir = tempDir('ec-duckdb-');
  after(() => dir.remove());

  test('a file database persists between EngineConns', async () => {
    const path = join(dir.path, 'persist.duckdb');
    const first = await openTestSession({ 'duckdb.path': path });
    await first.run("create table kept(id integer, note varchar); insert into kept values (1, 'still here')");
    await first.close();
    assert.ok(existsSync(path));

    const second = await openTestSession({ 'duckdb.path': path });
    try {
      const task = await second.run('select * from kept');
      assert.deepEqual(task.resultSets[0]?.rows, [[1, 'still here']]);
    } finally {
      await second.close();
    }
  });

  test('a read-only file database reads and refuses writes', async () => {
    const path = join(dir.path, 'readonly.duckdb');
    const writer = await openTestSession({ 'duckdb.path': path });
    await writer.run('create table t as select 7 as x');
    await writer.close();
    const reader = await openTestSession({ 'duckdb.path': path, 'duckdb.readOnly': 'true' });
    try {
      assert.deepEqual((await reader.run('select x from t')).resultSets[0]?.rows, [[7]]);
      await assert.rejects(reader.executor.execute(reader.task('insert into t values (8)').context), /read-only/);
    } finally {
      await reader.close();
    }
  });

  test('closeSession is idempotent and later tasks are refused', async () => {
    const ec = await openTestSession();
    await ec.run('select 1');
    await ec.close();
    await ec.close();
    assert.equal(ec.session.state, 'closed');
    assert.equal(ec.session.idleConnections, 0);
    await assert.rejects(ec.executor.execute(ec.task('select 1').context), (err: unknown) => {
      assert.ok(err instanceof EngineConnError);
      assert.equal(err.code, 'EC_SHUTTING_DOWN');
      return true;
    });
  });

  test('tasks reuse a connection but never see the connection state another task left', async () => {
    const ec = await openTestSession();
    try {
      await ec.run('select 1');
      await ec.run('select 2');
      assert.equal(ec.session.idleConnections, 1, 'plain queries reuse one connection');

      await ec.run("set variable leaked = 7; create temp table scratch as select 1 as a; set search_path = 'temp'");
      const probe = await ec.run(
        "select getvariable('leaked') v, (select count(*) from duckdb_tables() where table_name = 'scratch') t, current_setting('search_path') p",
      );
      assert.deepEqual(probe.resultSets[0]?.rows, [[null, 0, '']]);

      await ec.run('begin transaction; create table in_tx(a int)');
      const after = await ec.run("select count(*) from duckdb_tables() where table_name = 'in_tx'");
      assert.deepEqual(after.resultSets[0]?.rows, [[0]], 'an unfinished transaction does not leak into the next task');
    } finally {
      await ec.close();
    }
  });

  test('concurrent tasks run in parallel on their own connections without mixing outputs', async () => {
    const ec = await openTestSession();
    try {
      const long = ec.start('select count(*) from range(10000000000)');
      await waitFor(() => long.task.statements.started.length === 1, { what: 'the long query to start' });
      const shorts = [1, 2, 3, 4].map((k) => ec.start(`select ${k} as k, range as r from range(20000)`));
      await Promise.all(shorts.map((s) => s.done));
      assert.equal(ec.session.leasedConnections, 1, 'the long query is still running while the short ones finished');
      for (const [i, { task: harness }] of shorts.entries()) {
        const rows = harness.resultSets[0]!.rows;
        assert.equal(rows.length, 20000);
        assert.ok(
          rows.every((row, r) => row[0] === i + 1 && row[1] === r),
          `task ${i + 1} got only its own rows, in order`,
        );
      }
      long.task.controller.abort();
      await assert.rejects(long.done, /cancelled/);
    } finally {
      await ec.close();
    }
  });
});
