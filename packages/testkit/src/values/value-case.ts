/** The kinds of edge value every SQL engine's corpus must hold (unless the engine has no such type). */
export const VALUE_TAGS = [
  'bounds',
  'null',
  'special-float',
  'decimal',
  'unicode',
  'bytes',
  'temporal',
  'json',
  'names',
  'nested',
] as const;
export type ValueTag = (typeof VALUE_TAGS)[number];

/** One edge value: a SQL expression, what the EngineConn must store for it, and what the engine shows. */
export interface ValueCase {
  /** An expression in the engine's dialect, selected as the one column `v` (`select <sql> as v`). */
  sql: string;
  /** A whole query of one column `v`, instead of `select <sql> as v` (a column of a setup table). */
  query?: string;
  /** The cell's JSON text as stored and served (docs/api.md#values-in-results). */
  json: string;
  /** The engine's own client's text for the value (null for SQL NULL). */
  native: string | null;
  tags: readonly ValueTag[];
  /** Also a row of the engine's type table in docs/api.md. */
  doc?: boolean;
}

/** What the engine's own client or CLI says about one expression. */
export interface NativeValue {
  text: string | null;
  /** The column's type name, as the engine's client describes it. */
  type: string;
}

/** The statement a case runs, in the EngineConn and in the native client alike. */
export function caseQuery(c: ValueCase): string {
  return c.query ?? `select ${c.sql} as v`;
}
