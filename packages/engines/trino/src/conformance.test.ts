// The conformance suite against FakeTrino (test-support/fake-trino.ts): no real Trino can run on
// this machine (it needs a JVM and downloads). The fake speaks the client REST protocol but runs no
// SQL, so every statement the suite sends is scripted here; the kill probe asks the fake whether the
// query is still RUNNING and was never cancelled, which is what a coordinator would report.
import { runConformanceSuite } from '@engineconn/testkit';
import { FakeTrino } from './test-support/fake-trino.js';
import { trinoEngine } from './trino-engine.js';
import type { TrinoSession } from './trino-session.js';

let fake: FakeTrino | undefined;

function coordinator(): FakeTrino {
  if (!fake) throw new Error('the fake coordinator is not running');
  return fake;
}

runConformanceSuite<TrinoSession>({
  plugin: trinoEngine,
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
    f.script('CREATE TABLE t (n integer, label varchar)', { updateType: 'CREATE TABLE' });
    f.script("INSERT INTO t VALUES (2, 'b'), (1, 'a'), (3, NULL)", {
      updateType: 'INSERT',
      updateCount: 3,
      columns: [{ name: 'rows', type: 'bigint' }],
      rows: [[3]],
    });
    f.script('SELECT n, label FROM t ORDER BY n', {
      columns: [
        { name: 'n', type: 'integer' },
        { name: 'label', type: 'varchar' },
      ],
      rows: [
        [1, 'a'],
        [2, 'b'],
        [3, null],
      ],
    });
  },
  async after() {
    await fake?.close();
  },
  options: () => ({ 'trino.server': coordinator().url }),
  results: {
    code: [
      'CREATE TABLE t (n integer, label varchar)',
      "INSERT INTO t VALUES (2, 'b'), (1, 'a'), (3, NULL)",
      'SELECT n, label FROM t ORDER BY n',
    ].join(';\n'),
    expect: [
      { type: 'TEXT', text: 'CREATE TABLE' },
      { type: 'TEXT', text: 'INSERT: 3 rows' },
      {
        type: 'TABLE',
        columns: [
          { name: 'n', type: 'integer' },
          { name: 'label', type: 'varchar' },
        ],
        rows: [
          [1, 'a'],
          [2, 'b'],
          [3, null],
        ],
      },
    ],
  },
  logs: { code: 'SELECT 1; SELECT 2', lines: [/^\[1\/2\] SELECT 1$/, /^\[2\/2\] SELECT 2$/] },
  multi: { code: 'SELECT 1; SELECT 2; SELECT 3', statements: 3 },
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
});
