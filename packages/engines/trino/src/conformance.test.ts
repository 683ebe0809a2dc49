// The conformance suite against FakeTrino (test-support/fake-trino.ts), which runs where a real
// Trino cannot (no Java 24+, no downloads) and in a fraction of the time; the same samples run
// against a real coordinator in conformance-real-trino.test.ts. The fake speaks the client REST
// protocol but runs no SQL, so every statement the suite sends is scripted here; the kill probe asks the fake whether the
// query is still RUNNING and was never cancelled, which is what a coordinator would report.
import { runConformanceSuite, SQL_SAMPLE_ROWS } from '@engineconn/testkit';
import { FakeTrino } from './test-support/fake-trino.js';
import { SAMPLE_COLUMNS, sampleStatements, trinoConformanceSpec } from './test-support/trino-conformance.js';

let fake: FakeTrino | undefined;
// The fake's memory catalog ends with it, so the table is not dropped.
const table = { name: 't', drop: false };
const sample = sampleStatements(table.name);

function coordinator(): FakeTrino {
  if (!fake) throw new Error('the fake coordinator is not running');
  return fake;
}

runConformanceSuite(
  trinoConformanceSpec(table, {
    async before() {
      const f = await FakeTrino.start();
      fake = f;
      f.scriptMatching(/^SELECT '\w+' AS marker$/, (sql) => ({
        columns: [{ name: 'marker', type: 'varchar' }],
        rows: [[/'(\w+)'/.exec(sql)?.[1]]],
        runningPages: 5,
        pageDelayMs: 30,
      }));
      f.scriptMatching(/^SELECT \d+$/, (sql) => ({
        columns: [{ name: '_col0', type: 'integer' }],
        rows: [[Number(sql.slice('SELECT '.length))]],
        totalSplits: 4,
        runningPages: 2,
      }));
      f.scriptMatching(/ AS long_\w+ FROM big$/, () => ({ hang: true, columns: [{ name: 'x', type: 'bigint' }] }));
      f.script(sample.create, { updateType: 'CREATE TABLE' });
      f.script(sample.insert, {
        updateType: 'INSERT',
        updateCount: 3,
        columns: [{ name: 'rows', type: 'bigint' }],
        rows: [[3]],
      });
      f.script(sample.select, { columns: SAMPLE_COLUMNS, rows: SQL_SAMPLE_ROWS.map((row) => [...row]) });
    },
    async after() {
      await fake?.close();
    },
    options: () => ({ 'trino.server': coordinator().url }),
    fail: { code: 'SELECT 1;\nSELEC 2', message: /mismatched input 'SELEC'/ },
    long: {
      code: (marker) => `SELECT x AS long_${marker} FROM big`,
      isWorkRunning: async (_session, _task, { marker }) =>
        coordinator().queries.some((q) => q.sql.includes(marker) && q.state === 'RUNNING' && !q.cancelled),
    },
    concurrent: { code: (marker) => `SELECT '${marker}' AS marker` },
    // Nothing is left on the coordinator: every query ended or was cancelled, the long one by a DELETE.
    isReleased: async (_session, { marker }) => {
      const { queries } = coordinator();
      const long = queries.filter((q) => q.sql.includes(marker));
      return (
        queries.every((q) => q.cancelled || q.state === 'FINISHED' || q.state === 'FAILED') &&
        long.length > 0 &&
        long.every((q) => coordinator().deletesOf(q.id).length > 0)
      );
    },
  }),
);
