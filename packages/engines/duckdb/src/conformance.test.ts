import { proc, runConformanceSuite, sqlResultsSample } from '@engineconn/testkit';
import { duckdbEngine } from './duckdb-engine.js';

/**
 * DuckDB runs inside this process, so "the query still runs" is read from the CPU time of the
 * process's threads other than the main one (DuckDB's workers and the libuv pool). Valid because the
 * tests of one file run one at a time and nothing else in this process computes while the probe
 * samples. The long query keeps at least a core busy; 10 ticks (100 ms of CPU) tells it apart from
 * the short bursts of freeing a killed query's state, which a loaded CI run showed crossing a 3-tick
 * bar, and the probe's one-second window lets a starved query reach it on a loaded machine.
 */
const queryBurnsCpu = () => proc.burnsCpu(() => proc.threadCpuTicks(), { minTicks: 10 });

runConformanceSuite({
  plugin: duckdbEngine,
  results: sqlResultsSample({
    table: 't',
    prepare: [['create or replace table t(n integer, label varchar)', 'OK']],
    inserted: '3 rows affected',
    columns: [
      { name: 'n', type: 'INTEGER' },
      { name: 'label', type: 'VARCHAR' },
    ],
  }),
  logs: {
    code: 'select 1; select 2',
    lines: [/^statement 1\/2: select 1/, /^statement 1\/2 done/, /^statement 2\/2: select 2/, /^statement 2\/2 done/],
  },
  multi: { code: 'select 1; select 2; select 3', statements: 3 },
  fail: {
    code: 'select 1; select * from no_such_table',
    message: /Statement 2\/2 failed: .*no_such_table/,
  },
  long: {
    code: 'select count(*) from range(10000000000)',
    isWorkRunning: queryBurnsCpu,
  },
  concurrent: {
    code: (marker) =>
      `select '${marker}' as marker; select sum(range) as s from range(20000000); select '${marker}' as marker`,
  },
  isReleased: async (session) =>
    session.state === 'closed' &&
    session.leasedConnections === 0 &&
    session.idleConnections === 0 &&
    !(await queryBurnsCpu()),
});
