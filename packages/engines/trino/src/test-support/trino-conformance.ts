import type { ConformanceSpec, ExpectedResultSet } from '@engineconn/testkit';
import { trinoEngine } from '../trino-engine.js';
import type { TrinoSession } from '../trino-session.js';

type Shared = 'plugin' | 'results' | 'logs' | 'multi';

/** What the results sample reads back from its table: FakeTrino is scripted to answer with it. */
export const SAMPLE_TABLE: { columns: { name: string; type: string }[]; rows: unknown[][] } = {
  columns: [
    { name: 'n', type: 'integer' },
    { name: 'label', type: 'varchar' },
  ],
  rows: [
    [1, 'a'],
    [2, 'b'],
    [3, null],
  ],
};

/** The results sample's statements on table `name`: FakeTrino is scripted to answer each. */
export function sampleStatements(name: string): { create: string; insert: string; select: string } {
  return {
    create: `CREATE TABLE ${name} (n integer, label varchar)`,
    insert: `INSERT INTO ${name} VALUES (2, 'b'), (1, 'a'), (3, NULL)`,
    select: `SELECT n, label FROM ${name} ORDER BY n`,
  };
}

/**
 * The conformance spec of the Trino engine, shared by the runs against a real coordinator and
 * against FakeTrino: the same samples (a table created, filled and read back, two logged
 * statements, three counted ones), with what only one of them has — the coordinator, its probes
 * and, for a real memory catalog that outlives a run, the table's own name and its DROP — given.
 */
export function trinoConformanceSpec(
  table: { name: string; drop: boolean },
  rest: Omit<ConformanceSpec<TrinoSession>, Shared>,
): ConformanceSpec<TrinoSession> {
  const { create, insert, select } = sampleStatements(table.name);
  const statements = [create, insert, select];
  const expect: ExpectedResultSet[] = [
    { type: 'TEXT', text: 'CREATE TABLE' },
    { type: 'TEXT', text: 'INSERT: 3 rows' },
    { type: 'TABLE', ...SAMPLE_TABLE },
  ];
  if (table.drop) {
    statements.push(`DROP TABLE ${table.name}`);
    expect.push({ type: 'TEXT', text: 'DROP TABLE' });
  }
  return {
    plugin: trinoEngine,
    results: { code: statements.join(';\n'), expect },
    logs: { code: 'SELECT 1; SELECT 2', lines: [/^\[1\/2\] SELECT 1$/, /^\[2\/2\] SELECT 2$/] },
    multi: { code: 'SELECT 1; SELECT 2; SELECT 3', statements: 3 },
    ...rest,
  };
}
