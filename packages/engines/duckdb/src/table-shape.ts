import type { DuckDBResult, DuckDBType } from '@duckdb/node-api';
import type { ResultSetSpec } from '@engineconn/core';
import type { ReadContext } from './values/cell-readers.js';
import { RowLineEncoder } from './values/row-line-encoder.js';
import type { TypeNames } from './values/type-names.js';
import type { ZoneClock } from './values/zone-clock.js';

/**
 * What a query's TABLE result set looks like, and the encoder that writes its rows: read from the
 * result once, through a dozen calls into the binding and a type object per column. A kept SELECT
 * (StatementCache) answers with the same columns every time it runs, since everything that could
 * change them (DDL, SET, ATTACH…) drops every kept statement first; so its shape is kept with it.
 */
export interface TableShape {
  readonly spec: ResultSetSpec & { type: 'TABLE' };
  readonly encoder: RowLineEncoder;
  /** The zone the encoder's cell readers write a zone-aware timestamp in. */
  readonly zone: ZoneClock;
}

export function tableShape(result: DuckDBResult, typeNames: TypeNames, context: ReadContext): TableShape {
  const types = result.columnTypes();
  const columns = result.columnNames().map((name, i) => ({ name, type: typeNames.name(types[i] as DuckDBType) }));
  return { spec: { type: 'TABLE', columns }, encoder: new RowLineEncoder(types, context), zone: context.zone };
}
