import { type ConformanceSpec, sqlResultsSample, sqlSampleStatements } from '@engineconn/testkit';
import { trinoEngine } from '../trino-engine.js';
import type { TrinoSession } from '../trino-session.js';

type Shared = 'plugin' | 'results' | 'logs' | 'multi';

/** The read-back's columns as Trino types them: FakeTrino is scripted to answer with them. */
export const SAMPLE_COLUMNS = [
  { name: 'n', type: 'integer' },
  { name: 'label', type: 'varchar' },
];

/** The results sample's statements on table `name`: FakeTrino is scripted to answer each. */
export function sampleStatements(name: string): { create: string; insert: string; select: string } {
  return { create: `CREATE TABLE ${name} (n integer, label varchar)`, ...sqlSampleStatements(name) };
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
  return {
    plugin: trinoEngine,
    results: sqlResultsSample({
      table: table.name,
      prepare: [[sampleStatements(table.name).create, 'CREATE TABLE']],
      inserted: 'INSERT: 3 rows',
      columns: SAMPLE_COLUMNS,
      cleanup: table.drop ? [[`DROP TABLE ${table.name}`, 'DROP TABLE']] : [],
    }),
    logs: { code: 'SELECT 1; SELECT 2', lines: [/^\[1\/2\] SELECT 1$/, /^\[2\/2\] SELECT 2$/] },
    multi: { code: 'SELECT 1; SELECT 2; SELECT 3', statements: 3 },
    ...rest,
  };
}
