import type { Column } from '@engineconn/core';
import type { ConformanceSpec, ExpectedResultSet } from './conformance-spec.js';

/** What the sample table reads back: filled out of order, one label NULL, read ordered by `n`. */
export const SQL_SAMPLE_ROWS: readonly (readonly unknown[])[] = [
  [1, 'a'],
  [2, 'b'],
  [3, null],
];

/** The fill and the read-back of sample table `name`: the same words in every SQL dialect tested. */
export function sqlSampleStatements(name: string): { insert: string; select: string } {
  return {
    insert: `INSERT INTO ${name} VALUES (2, 'b'), (1, 'a'), (3, NULL)`,
    select: `SELECT n, label FROM ${name} ORDER BY n`,
  };
}

/** A statement of the sample and the TEXT result the engine reports for it. */
export type SqlSampleStep = readonly [statement: string, reports: string];

export interface SqlSample {
  /** The table the sample creates, fills and reads back. */
  table: string;
  /** The statements before the fill, in the engine's dialect: the CREATE of `(n, label)`, maybe a DROP first. */
  prepare: readonly SqlSampleStep[];
  /** What the engine reports for the three-row INSERT. */
  inserted: string;
  /** The read-back's columns as the engine's TABLE names (or names and types) them. */
  columns: readonly string[] | readonly Column[];
  /** Statements after the read-back, e.g. the DROP of a table that would outlive the run. */
  cleanup?: readonly SqlSampleStep[];
}

/**
 * The results sample of a SQL engine's conformance run: a table created, filled and read back, the
 * same data for every engine, so each engine states only its DDL and what it reports for a statement
 * that returns no rows.
 */
export function sqlResultsSample(sample: SqlSample): ConformanceSpec['results'] {
  const { insert, select } = sqlSampleStatements(sample.table);
  const code: string[] = [];
  const expect: ExpectedResultSet[] = [];
  const text = (steps: readonly SqlSampleStep[]) => {
    for (const [statement, reports] of steps) {
      code.push(statement);
      expect.push({ type: 'TEXT', text: reports });
    }
  };
  text([...sample.prepare, [insert, sample.inserted]]);
  code.push(select);
  expect.push({ type: 'TABLE', columns: sample.columns, rows: SQL_SAMPLE_ROWS });
  text(sample.cleanup ?? []);
  return { code: code.join(';\n'), expect };
}
