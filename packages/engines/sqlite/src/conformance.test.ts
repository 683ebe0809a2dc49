import { proc, runConformanceSuite, sqlResultsSample } from '@engineconn/testkit';
import { sqliteEngine } from './sqlite-engine.js';
import type { SqliteSession } from './sqlite-session.js';

/**
 * The long query runs in the process that owns the database, and a kill replaces that process. The
 * probe remembers the process that ran the query when it first looked (per test marker; a replacement
 * started later is busy loading, not querying): the work runs while that process is alive and
 * burning CPU.
 */
const queryProcess = new Map<string, number | undefined>();

function queryPid(session: SqliteSession, marker: string): number | undefined {
  if (!queryProcess.has(marker)) queryProcess.set(marker, session.pid);
  return queryProcess.get(marker);
}

async function burnsCpu(pid: number | undefined): Promise<boolean> {
  if (pid === undefined || !proc.isAlive(pid)) return false;
  return proc.burnsCpu(() => proc.readStat(pid)?.cpuTicks ?? 0);
}

runConformanceSuite({
  plugin: sqliteEngine,
  results: sqlResultsSample({
    table: 't',
    prepare: [
      ['DROP TABLE IF EXISTS t', 'changes: 0'],
      ['CREATE TABLE t (n INTEGER, label TEXT)', 'changes: 0'],
    ],
    inserted: 'changes: 3',
    columns: ['n', 'label'],
  }),
  logs: {
    code: 'SELECT 1; SELECT 2',
    lines: [/^\[1\/2\] SELECT 1$/, /^1 rows in \d+ ms$/, /^\[2\/2\] SELECT 2$/, /^1 rows in \d+ ms$/],
  },
  multi: { code: 'SELECT 1; SELECT 2; SELECT 3', statements: 3 },
  fail: { code: 'SELECT 1;\nSELECT * FROM no_such_table', message: /no such table: no_such_table/ },
  long: {
    // An endless recursive CTE: pure CPU in the database's process, never a row.
    code: (marker) =>
      `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS ${marker} FROM c`,
    isWorkRunning: (session, _task, { marker }) => burnsCpu(queryPid(session, marker)),
  },
  isReleased: async (session, { marker }) => {
    const pid = queryPid(session, marker);
    return (pid === undefined || !proc.isAlive(pid)) && (session.pid === undefined || !proc.isAlive(session.pid));
  },
});
