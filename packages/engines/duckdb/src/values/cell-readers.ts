import type {
  DuckDBArrayType,
  DuckDBDataChunk,
  DuckDBListType,
  DuckDBListVector,
  DuckDBMapType,
  DuckDBStructType,
  DuckDBStructVector,
  DuckDBType,
  DuckDBUnionType,
  DuckDBValue,
  DuckDBVector,
} from '@duckdb/node-api';
import {
  bytesCell,
  float32Cell,
  floatCell,
  integerCell,
  isoDateTime,
  isoOffset,
  isoTimeTz,
  MapValue,
  StructShape,
  StructValue,
} from '@engineconn/core';
import { duckdb } from '../duckdb-api.js';
import { wkbToWkt } from './wkb-to-wkt.js';
import type { ZoneClock } from './zone-clock.js';

const {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBGeometryValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
} = duckdb;

/** One cell of a vector, by the rules of docs/api.md#values-in-results. */
export type CellReader = (vector: DuckDBVector, row: number) => unknown;

export interface ReadContext {
  /** The session's `TimeZone`, for TIMESTAMP WITH TIME ZONE. */
  readonly zone: ZoneClock;
}

// DuckDB marks ±infinity with the extreme values; the value classes print those as far-off dates.
const DATE_INFINITY = 2 ** 31 - 1;
const TIMESTAMP_INFINITY = 2n ** 63n - 1n;
const MICROS_PER_SECOND = 1_000_000n;

/**
 * The vectors that hold nested values sit in fields @duckdb/node-api keeps private; its public
 * `getItem` would build JS objects of STRUCT values, which lose fields (see StructShape). The
 * version is pinned, and a renamed field fails here, at the first such column, with this message.
 */
function inner<T>(vector: DuckDBVector, field: string): T {
  const value = (vector as unknown as Record<string, unknown>)[field];
  if (value === undefined || value === null) {
    throw new Error(`@duckdb/node-api changed: ${vector.constructor.name} has no '${field}' to read values from.`);
  }
  return value as T;
}

function scalar(convert: (value: DuckDBValue) => unknown): CellReader {
  return (vector, row) => {
    const value = vector.getItem(row);
    return value === null ? null : convert(value);
  };
}

const text = scalar(String);

function infinityOr(raw: bigint | number, infinity: bigint | number): string | null {
  if (raw === infinity) return 'infinity';
  if (raw === -infinity) return '-infinity';
  return null;
}

function timestampUnit(value: DuckDBValue): string {
  let raw: bigint | undefined;
  if (value instanceof DuckDBTimestampSecondsValue) raw = value.seconds;
  else if (value instanceof DuckDBTimestampMillisecondsValue) raw = value.millis;
  else if (value instanceof DuckDBTimestampNanosecondsValue) raw = value.nanos;
  return (raw !== undefined && infinityOr(raw, TIMESTAMP_INFINITY)) || isoDateTime(String(value));
}

/** A zone-aware timestamp in the session's time zone, with its offset: `2024-01-01T07:00:00.5-05:00`. */
function timestampTz(zone: ZoneClock): (value: DuckDBValue) => string {
  return (value) => {
    if (!(value instanceof DuckDBTimestampTZValue)) return String(value);
    const { micros } = value;
    const infinite = infinityOr(micros, TIMESTAMP_INFINITY);
    if (infinite) return infinite;
    const offset = zone.offsetSeconds(Number(micros) / 1000);
    const local = new DuckDBTimestampValue(micros + BigInt(offset) * MICROS_PER_SECOND);
    return isoDateTime(String(local)) + isoOffset(offset);
  };
}

interface Validity {
  itemValid(row: number): boolean;
}

/** Reads the items straight from the list's flat child vector: no sliced vector per value. */
function list(itemReader: CellReader): CellReader {
  return (vector, row) => {
    if (!inner<Validity>(vector, 'validity').itemValid(row)) return null;
    const lists = vector as DuckDBListVector;
    const items = lists.childVector;
    const offset = lists.getEntryOffset(row);
    const out: unknown[] = new Array(lists.getEntryLength(row));
    for (let i = 0; i < out.length; i++) out[i] = itemReader(items, offset + i);
    return out;
  };
}

function array(type: DuckDBArrayType, itemReader: CellReader): CellReader {
  const { length } = type;
  return (vector, row) => {
    if (!inner<Validity>(vector, 'validity').itemValid(row)) return null;
    const items = inner<DuckDBVector>(vector, 'childData');
    const out: unknown[] = new Array(length);
    for (let i = 0; i < length; i++) out[i] = itemReader(items, row * length + i);
    return out;
  };
}

function struct(type: DuckDBStructType, context: ReadContext): CellReader {
  const shape = new StructShape(type.entryNames);
  const fields = type.entryTypes.map((t) => cellReader(t, context));
  return (vector, row) => {
    const structs = vector as DuckDBStructVector;
    if (!structs.isItemValid(row)) return null;
    const values: unknown[] = new Array(fields.length);
    for (let i = 0; i < fields.length; i++) values[i] = (fields[i] as CellReader)(structs.entryVectorAt(i), row);
    return new StructValue(shape, values);
  };
}

function map(type: DuckDBMapType, context: ReadContext): CellReader {
  const keyReader = cellReader(type.keyType, context);
  const valueReader = cellReader(type.valueType, context);
  return (vector, row) => {
    const entries = inner<DuckDBListVector>(vector, 'listVector').getItemVector(row) as DuckDBStructVector | null;
    if (!entries) return null;
    const keys: unknown[] = new Array(entries.itemCount);
    const values: unknown[] = new Array(entries.itemCount);
    const keyVector = entries.entryVectorAt(0);
    const valueVector = entries.entryVectorAt(1);
    for (let i = 0; i < keys.length; i++) {
      keys[i] = keyReader(keyVector, i);
      values[i] = valueReader(valueVector, i);
    }
    return new MapValue(keys, values);
  };
}

const UNION_SHAPE = new StructShape(['tag', 'value']);

function union(type: DuckDBUnionType, context: ReadContext): CellReader {
  const members = type.memberTypes.map((t) => cellReader(t, context));
  return (vector, row) => {
    const parts = inner<DuckDBStructVector>(vector, 'structVector');
    const tag = parts.entryVectorAt(0).getItem(row);
    if (tag === null) return null;
    const index = Number(tag);
    const value = (members[index] as CellReader)(parts.entryVectorAt(index + 1), row);
    return new StructValue(UNION_SHAPE, [type.memberTags[index], value]);
  };
}

/** How to read one column (or nested field) of `type`: decided once per result, not per value. */
export function cellReader(type: DuckDBType, context: ReadContext): CellReader {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return (vector, row) => vector.getItem(row);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return scalar((value) => integerCell(value as bigint));
    case DuckDBTypeId.FLOAT:
      return scalar((value) => float32Cell(value as number));
    case DuckDBTypeId.DOUBLE:
      return scalar((value) => floatCell(value as number));
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.BIT:
    case DuckDBTypeId.INTERVAL:
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
      return text;
    case DuckDBTypeId.TIME_TZ:
      return scalar((value) => isoTimeTz(String(value)));
    case DuckDBTypeId.DATE:
      return scalar(
        (value) =>
          (value instanceof DuckDBDateValue && infinityOr(value.days, DATE_INFINITY)) || isoDateTime(String(value)),
      );
    case DuckDBTypeId.TIMESTAMP:
      return scalar((value) => isoDateTime(String(value)));
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return scalar(timestampUnit);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return scalar(timestampTz(context.zone));
    case DuckDBTypeId.BLOB:
      return scalar((value) => (value instanceof DuckDBBlobValue ? bytesCell(value.bytes) : String(value)));
    case DuckDBTypeId.GEOMETRY:
      return scalar((value) => (value instanceof DuckDBGeometryValue ? wkbToWkt(value.bytes) : String(value)));
    case DuckDBTypeId.LIST:
      return list(cellReader((type as DuckDBListType).valueType, context));
    case DuckDBTypeId.ARRAY:
      return array(type as DuckDBArrayType, cellReader((type as DuckDBArrayType).valueType, context));
    case DuckDBTypeId.STRUCT:
      return struct(type as DuckDBStructType, context);
    case DuckDBTypeId.MAP:
      return map(type as DuckDBMapType, context);
    case DuckDBTypeId.UNION:
      return union(type as DuckDBUnionType, context);
    case DuckDBTypeId.SQLNULL:
      return () => null;
    default:
      // VARIANT and anything newer: the binding's own JSON form.
      return scalar((value) => JsonDuckDBValueConverter(value, type, JsonDuckDBValueConverter));
  }
}

/** A chunk's rows as cells, column by column with each column's reader. */
export function rowsOfChunk(chunk: DuckDBDataChunk, readers: readonly CellReader[]): unknown[][] {
  const rowCount = chunk.rowCount;
  const rows: unknown[][] = new Array(rowCount);
  for (let r = 0; r < rowCount; r++) rows[r] = new Array(readers.length);
  for (let c = 0; c < readers.length; c++) {
    const vector = chunk.getColumnVector(c);
    const read = readers[c] as CellReader;
    for (let r = 0; r < rowCount; r++) (rows[r] as unknown[])[c] = read(vector, r);
  }
  return rows;
}
