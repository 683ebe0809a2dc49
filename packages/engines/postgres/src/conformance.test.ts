import { randomBytes } from 'node:crypto';
import type { EngineConnRuntime } from '@engineconn/core';
import {
  type PostgresServer,
  runConformanceSuite,
  sqlResultsSample,
  startPostgres,
  waitFor,
} from '@engineconn/testkit';
import pg from 'pg';
import { postgresEngine } from './postgres-engine.js';

let server: PostgresServer | undefined;
/** The probes' own connection: what the server says, not what the engine believes. */
let observer: pg.Client | undefined;

function appNameOf(runtime: EngineConnRuntime): string {
  const url = new URL(runtime.context.options['postgres.url'] ?? '');
  return url.searchParams.get('application_name') ?? '';
}

async function count(sql: string, params: unknown[]): Promise<number> {
  if (!observer) throw new Error('the observer connection is not open');
  const { rows } = await observer.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? 0;
}

/** Backends of one EngineConn (each test's runtime gets its own application_name). */
const backendsOf = (runtime: EngineConnRuntime) =>
  count('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [appNameOf(runtime)]);

runConformanceSuite({
  plugin: postgresEngine,
  async before() {
    server = await startPostgres();
    observer = new pg.Client({ connectionString: server.url, application_name: 'conformance-observer' });
    await observer.connect();
  },
  async after() {
    await observer?.end();
    await server?.stop();
  },
  options: () => {
    if (!server) throw new Error('PostgreSQL is not running');
    const appName = `ec-conformance-${randomBytes(4).toString('hex')}`;
    return { 'postgres.url': `${server.url}?application_name=${appName}` };
  },
  results: sqlResultsSample({
    table: 'conformance_t',
    prepare: [
      ['DROP TABLE IF EXISTS conformance_t', 'DROP TABLE'],
      ['CREATE TABLE conformance_t (n integer, label text)', 'CREATE TABLE'],
    ],
    inserted: 'INSERT 0 3',
    columns: ['n', 'label'],
  }),
  logs: {
    code: "DO $$ BEGIN RAISE NOTICE 'line 1'; RAISE NOTICE 'line 2'; RAISE NOTICE 'line 3'; END $$",
    lines: [/NOTICE: line 1$/, /NOTICE: line 2$/, /NOTICE: line 3$/],
  },
  multi: { code: 'SELECT pg_sleep(0.02); SELECT 2; SELECT 3', statements: 3 },
  fail: { code: 'SELECT 1;\nSELECT * FROM no_such_table', message: /relation "no_such_table" does not exist/ },
  long: {
    code: (marker) => `SELECT pg_sleep(600) AS ${marker}`,
    isWorkRunning: (_session, _task, { marker }) =>
      count(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
        [`%${marker}%`],
      ).then((n) => n > 0),
  },
  concurrent: { code: (marker) => `SELECT pg_sleep(0.15); SELECT '${marker}' AS marker` },
  // A backend leaves pg_stat_activity when it has exited, a moment after its client hung up.
  isReleased: async (_session, { runtime }) =>
    (await waitFor(() => backendsOf(runtime), { until: (n) => n === 0, what: 'the session’s backends to exit' })) === 0,
});
