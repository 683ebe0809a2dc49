import type { DuckDBDataChunk, DuckDBType, DuckDBVector } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { encodeValue, JSON_BYTES } from '@engineconn/core';
import { duckdb } from '../duckdb-api.js';
import { type CellReader, cellReader, type ReadContext } from './cell-readers.js';
import type { LineBytes } from './line-bytes.js';

const { DuckDBTypeId } = duckdb;

const { OPEN_BRACKET: OPEN, CLOSE_BRACKET: CLOSE, COMMA, NEWLINE, QUOTE, BACKSLASH } = JSON_BYTES;
const NULL = 'null';
const TWO_TO_32 = 4294967296;
/** A VARCHAR of at most this many bytes sits in its 16-byte slot; a longer one behind a pointer. */
const INLINE_STRING_BYTES = 12;

/** Writes the JSON of one row's cell of a column, bound to one chunk's vector. */
type CellWriter = (row: number, out: LineBytes) => void;
/** Binds a column's writer to a chunk's vector, so the vector's buffers are looked up once per chunk. */
type ColumnEncoder = (vector: DuckDBVector) => CellWriter;

/** What JSON.stringify writes for each ASCII byte a JSON string must escape. */
const ESCAPES: string[] = [];
for (let byte = 0; byte < 0x20; byte++) ESCAPES[byte] = JSON.stringify(String.fromCharCode(byte)).slice(1, -1);
ESCAPES[QUOTE] = '\\"';
ESCAPES[BACKSLASH] = '\\\\';

/**
 * A field @duckdb/node-api keeps private (a vector's typed array, its validity mask): the version is
 * pinned, and a renamed field fails here, at the first chunk, with this message.
 */
function field<T>(owner: object, name: string): T {
  const value = (owner as Record<string, unknown>)[name];
  if (value === undefined) {
    throw new Error(`@duckdb/node-api changed: ${owner.constructor.name} has no '${name}' to read values from.`);
  }
  return value as T;
}

/** The vector's validity bits as bytes (bit `row` clear: NULL), or null when every row is valid. */
function nullMask(vector: DuckDBVector): { bits: Uint8Array; offset: number } | null {
  const validity = field<object>(vector, 'validity');
  const data = field<BigUint64Array | null>(validity, 'data');
  if (data === null) return null;
  return {
    bits: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    offset: field<number>(validity, 'offset'),
  };
}

function isNull(mask: { bits: Uint8Array; offset: number } | null, row: number): boolean {
  if (mask === null) return false;
  const bit = mask.offset + row;
  return ((mask.bits[bit >> 3] as number) & (1 << (bit & 7))) === 0;
}

/** Any column, through its cell reader and `encodeValue`: what the fast encoders below must equal. */
function viaReader(read: CellReader): ColumnEncoder {
  return (vector) => (row, out) => out.utf8(encodeValue(read(vector, row)));
}

/** TINYINT to UINTEGER: numbers, always exact. */
const smallInteger: ColumnEncoder = (vector) => {
  const items = field<ArrayLike<number>>(vector, 'items');
  const mask = nullMask(vector);
  return (row, out) => (isNull(mask, row) ? out.ascii(NULL) : out.integer(items[row] as number));
};

/**
 * BIGINT and UBIGINT read as two 32-bit words, without a bigint per value: a number when within
 * ±(2^53 − 1), else its digits as a string (`integerCell`). `hi * 2^32 + lo` is exact whenever the
 * result is a safe integer, and past that it cannot round back into the safe range.
 */
function wideInteger(signed: boolean): ColumnEncoder {
  return (vector) => {
    const items = field<BigInt64Array | BigUint64Array>(vector, 'items');
    const words = signed
      ? new Int32Array(items.buffer, items.byteOffset, items.length * 2)
      : new Uint32Array(items.buffer, items.byteOffset, items.length * 2);
    const mask = nullMask(vector);
    return (row, out) => {
      if (isNull(mask, row)) return out.ascii(NULL);
      const value = (words[2 * row + 1] as number) * TWO_TO_32 + ((words[2 * row] as number) >>> 0);
      if (Number.isSafeInteger(value)) return out.integer(value);
      out.ascii(`"${items[row]}"`);
    };
  };
}

/** DOUBLE: a finite number other than zero as `String` prints it; zero, -0, NaN and ±Infinity by `encodeValue`. */
const double: ColumnEncoder = (vector) => {
  const items = field<Float64Array>(vector, 'items');
  const mask = nullMask(vector);
  return (row, out) => {
    if (isNull(mask, row)) return out.ascii(NULL);
    const value = items[row] as number;
    out.ascii(value !== 0 && Number.isFinite(value) ? String(value) : encodeValue(value));
  };
};

const boolean: ColumnEncoder = (vector) => (row, out) => {
  const value = vector.getItem(row);
  out.ascii(value === null ? NULL : value ? 'true' : 'false');
};

/**
 * VARCHAR: an ASCII string's bytes copied from DuckDB's buffer into the JSON string, escaped as
 * JSON.stringify escapes them, without a JS string; a string with any other byte goes the reader's
 * way (decoded, then JSON.stringify), so non-ASCII text is encoded exactly as before.
 */
const varchar: ColumnEncoder = (vector) => {
  const view = field<DataView>(vector, 'dataView');
  const slots = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const mask = nullMask(vector);
  return (row, out) => {
    if (isNull(mask, row)) return out.ascii(NULL);
    const slot = row * 16;
    const length = view.getUint32(slot, true);
    let bytes: Uint8Array = slots;
    let start = slot + 4;
    if (length > INLINE_STRING_BYTES) {
      bytes = bindings.get_data_from_pointer(view.buffer as ArrayBuffer, view.byteOffset + slot + 8, length);
      start = 0;
    }
    const end = start + length;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) >= 0x80) return out.utf8(JSON.stringify(vector.getItem(row)));
    }
    let buf = out.room(length + 2);
    let at = out.at;
    buf[at++] = QUOTE;
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      const escaped = ESCAPES[byte];
      if (escaped === undefined) {
        buf[at++] = byte;
        continue;
      }
      out.at = at;
      out.ascii(escaped);
      buf = out.room(end - i);
      at = out.at;
    }
    buf[at++] = QUOTE;
    out.at = at;
  };
};

function columnEncoder(type: DuckDBType, context: ReadContext): ColumnEncoder {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return smallInteger;
    case DuckDBTypeId.BIGINT:
      return wideInteger(true);
    case DuckDBTypeId.UBIGINT:
      return wideInteger(false);
    case DuckDBTypeId.DOUBLE:
      return double;
    case DuckDBTypeId.BOOLEAN:
      return boolean;
    case DuckDBTypeId.VARCHAR:
      return varchar;
    default:
      return viaReader(cellReader(type, context));
  }
}

/**
 * A result's chunks written straight into their stored form (one JSON array per row and line, as
 * `encodeRow` writes the cells the readers give): the common scalar columns from DuckDB's vectors
 * without a JS value per cell, every other column through its cell reader.
 */
export class RowLineEncoder {
  readonly #types: readonly DuckDBType[];
  readonly #columns: readonly ColumnEncoder[];

  constructor(types: readonly DuckDBType[], context: ReadContext) {
    this.#types = types;
    this.#columns = types.map((type) => columnEncoder(type, context));
  }

  /**
   * Appends the chunk's `rows` rows to `out`. Its vectors are made with the column types known
   * here: `getColumnVector` would read each vector's type back from DuckDB and build it again.
   */
  encode(chunk: DuckDBDataChunk, rows: number, out: LineBytes): void {
    const cells = this.#columns.map((encoder, c) =>
      encoder(duckdb.DuckDBVector.create(bindings.data_chunk_get_vector(chunk.chunk, c), rows, this.#types[c])),
    );
    for (let row = 0; row < rows; row++) {
      out.byte(OPEN);
      for (let c = 0; c < cells.length; c++) {
        if (c > 0) out.byte(COMMA);
        (cells[c] as CellWriter)(row, out);
      }
      out.byte(CLOSE);
      out.byte(NEWLINE);
    }
  }
}
