import type { DuckDBDataChunk, DuckDBType, DuckDBValue, DuckDBValueConverter, Json } from '@duckdb/node-api';
import { duckdb } from './duckdb-api.js';

const {
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  createDuckDBValueConverter,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBMapType,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTypeId,
  fromVariantValue,
  jsonNumberFromValue,
  nullConverter,
  numberFromValue,
  objectArrayFromMapValue,
  objectFromStructValue,
  objectFromUnionValue,
  stringFromValue,
  unsupportedConverter,
} = duckdb;

/** A double holds every decimal of at most this many significant digits exactly. */
const MAX_EXACT_DECIMAL_WIDTH = 15;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function integerFromBigInt(value: DuckDBValue): Json {
  if (typeof value !== 'bigint') return String(value);
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

// DECIMAL(p ≤ 15) survives a double exactly, so callers get a number; wider ones stay exact as text.
function fromDecimal(value: DuckDBValue): Json {
  if (!(value instanceof DuckDBDecimalValue)) return String(value);
  return value.width <= MAX_EXACT_DECIMAL_WIDTH ? value.toDouble() : value.toString();
}

// DuckDB marks ±infinity with the extreme values; the value classes print those as far-off dates.
const DATE_INFINITY = 2 ** 31 - 1;
const TIMESTAMP_INFINITY = 2n ** 63n - 1n;

function fromDate(value: DuckDBValue): Json {
  if (value instanceof DuckDBDateValue && Math.abs(value.days) === DATE_INFINITY) {
    return value.days > 0 ? 'infinity' : '-infinity';
  }
  return String(value);
}

function fromTimestampUnit(value: DuckDBValue): Json {
  let raw: bigint | undefined;
  if (value instanceof DuckDBTimestampSecondsValue) raw = value.seconds;
  else if (value instanceof DuckDBTimestampMillisecondsValue) raw = value.millis;
  else if (value instanceof DuckDBTimestampNanosecondsValue) raw = value.nanos;
  if (raw === TIMESTAMP_INFINITY) return 'infinity';
  if (raw === -TIMESTAMP_INFINITY) return '-infinity';
  return String(value);
}

function base64FromBlob(value: DuckDBValue): Json {
  if (!(value instanceof DuckDBBlobValue)) return String(value);
  const { bytes } = value;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

// A map keyed by text reads best as an object; other key types cannot be object keys, so stay entries.
function fromMap(value: DuckDBValue, type: DuckDBType, converter: DuckDBValueConverter<Json>): Json {
  const entries = objectArrayFromMapValue(value, type, converter);
  if (!(type instanceof DuckDBMapType) || type.keyType.typeId !== DuckDBTypeId.VARCHAR) return entries;
  const out: Record<string, Json> = {};
  for (const { key, value: item } of entries) out[String(key)] = item;
  return out;
}

/**
 * DuckDB values as JSON: numbers stay numbers while exact (BIGINT/HUGEINT beyond 2^53 and wide
 * DECIMALs become text), temporal values and intervals keep DuckDB's own text form (no time zone
 * shift, no lost microseconds), BLOBs become base64, LIST/ARRAY arrays, STRUCT objects, MAP objects
 * (text keys) or `{key, value}` entries, UNION `{tag, value}`, NaN/±Infinity text.
 */
export const jsonValueConverter: DuckDBValueConverter<Json> = createDuckDBValueConverter<Json>({
  [DuckDBTypeId.INVALID]: unsupportedConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: integerFromBigInt,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: integerFromBigInt,
  [DuckDBTypeId.FLOAT]: jsonNumberFromValue,
  [DuckDBTypeId.DOUBLE]: jsonNumberFromValue,
  [DuckDBTypeId.TIMESTAMP]: stringFromValue,
  [DuckDBTypeId.DATE]: fromDate,
  [DuckDBTypeId.TIME]: stringFromValue,
  [DuckDBTypeId.INTERVAL]: stringFromValue,
  [DuckDBTypeId.HUGEINT]: integerFromBigInt,
  [DuckDBTypeId.UHUGEINT]: integerFromBigInt,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.BLOB]: base64FromBlob,
  [DuckDBTypeId.DECIMAL]: fromDecimal,
  [DuckDBTypeId.TIMESTAMP_S]: fromTimestampUnit,
  [DuckDBTypeId.TIMESTAMP_MS]: fromTimestampUnit,
  [DuckDBTypeId.TIMESTAMP_NS]: fromTimestampUnit,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: fromMap,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.UNION]: objectFromUnionValue,
  [DuckDBTypeId.BIT]: stringFromValue,
  [DuckDBTypeId.TIME_TZ]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_TZ]: stringFromValue,
  [DuckDBTypeId.ANY]: unsupportedConverter,
  [DuckDBTypeId.BIGNUM]: integerFromBigInt,
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.STRING_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.INTEGER_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.TIME_NS]: stringFromValue,
  [DuckDBTypeId.GEOMETRY]: stringFromValue,
  [DuckDBTypeId.VARIANT]: fromVariantValue,
});

/**
 * A chunk's rows as JSON values. Walks column by column, reading each column's type once: about
 * three times faster than `chunk.convertRows`, which looks the type up again for every value.
 */
export function rowsOfChunk(chunk: DuckDBDataChunk): Json[][] {
  const rowCount = chunk.rowCount;
  const columnCount = chunk.columnCount;
  const rows: Json[][] = new Array(rowCount);
  for (let r = 0; r < rowCount; r++) rows[r] = new Array(columnCount);
  for (let c = 0; c < columnCount; c++) {
    const vector = chunk.getColumnVector(c);
    const type = vector.type;
    for (let r = 0; r < rowCount; r++) rows[r]![c] = jsonValueConverter(vector.getItem(r), type, jsonValueConverter);
  }
  return rows;
}
