import type { Column } from '@engineconn/protocol';
import { parseType, type TypeNode } from './type-syntax.js';

/** Turns one wire cell (docs/api.md#values-in-results) into a typed JS value. */
export type ValueDecoder = (cell: unknown) => unknown;

const BIG_INTEGERS = new Set([
  'bigint',
  'int8',
  'long',
  'ubigint',
  'uint64',
  'hugeint',
  'int128',
  'uhugeint',
  'uint128',
  'bignum',
  'varint',
]);
/** Integer types that are 64-bit in some engine (SQLite's INTEGER): digits beyond 2^53 become BigInt. */
const INTEGERS = new Set(['integer', 'int', 'int4', 'int2', 'smallint', 'tinyint', 'mediumint']);
const FLOATS = new Set(['double', 'double precision', 'float', 'float4', 'float8', 'real']);
const BYTES = new Set(['blob', 'bytea', 'varbinary', 'binary', 'bytes']);
const ZONED_TIMESTAMPS = new Set(['timestamp with time zone', 'timestamptz', 'timestamp_tz']);
const SPECIAL_FLOATS: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};
/** An ISO offset with seconds (local mean time), which Date cannot parse: `-04:56:02`. */
const OFFSET_SECONDS = /([+-])(\d\d):(\d\d):(\d\d)$/;

const same: ValueDecoder = (cell) => cell;

function bigInteger(cell: unknown): unknown {
  return typeof cell === 'number' || typeof cell === 'string' ? BigInt(cell) : cell;
}

function integer(cell: unknown): unknown {
  return typeof cell === 'string' && /^-?\d+$/.test(cell) ? BigInt(cell) : cell;
}

function float(cell: unknown): unknown {
  return typeof cell === 'string' && cell in SPECIAL_FLOATS ? SPECIAL_FLOATS[cell] : cell;
}

function bytes(cell: unknown): unknown {
  return typeof cell === 'string' ? Uint8Array.from(atob(cell), (c) => c.charCodeAt(0)) : cell;
}

/** An instant; `infinity` and other text a Date cannot hold stays text. */
function zonedTimestamp(cell: unknown): unknown {
  if (typeof cell !== 'string') return cell;
  const seconds = OFFSET_SECONDS.exec(cell);
  let ms: number;
  if (seconds) {
    const [, sign, hh, mm, ss] = seconds;
    const offsetMs = (Number(hh) * 3600 + Number(mm) * 60 + Number(ss)) * 1000 * (sign === '-' ? -1 : 1);
    ms = Date.parse(`${cell.slice(0, seconds.index)}Z`) - offsetMs;
  } else {
    ms = Date.parse(cell);
  }
  return Number.isNaN(ms) ? cell : new Date(ms);
}

function scalar(name: string): ValueDecoder {
  if (BIG_INTEGERS.has(name)) return bigInteger;
  if (INTEGERS.has(name)) return integer;
  if (FLOATS.has(name)) return float;
  if (BYTES.has(name)) return bytes;
  if (ZONED_TIMESTAMPS.has(name)) return zonedTimestamp;
  return same;
}

function list(item: ValueDecoder, itemIsList: boolean): ValueDecoder {
  const each: ValueDecoder = (cell) => {
    if (!Array.isArray(cell)) return item(cell);
    // PostgreSQL's multi-dimensional arrays nest deeper than their one `[]`.
    return cell.map((value) => (Array.isArray(value) && !itemIsList ? each(value) : item(value)));
  };
  return (cell) => (Array.isArray(cell) ? each(cell) : cell);
}

function struct(fields: { name: string; type: TypeNode }[]): ValueDecoder {
  const decoders = fields.map((f) => decoderFor(f.type));
  const byName = new Map(fields.map((f, i) => [f.name, decoders[i] as ValueDecoder]));
  return (cell) => {
    if (Array.isArray(cell)) {
      // [name, value] pairs: a name is empty or repeated, so position tells the fields apart.
      return cell.map((pair, i) => {
        const [name, value] = pair as [string, unknown];
        return [name, (decoders[i] ?? same)(value)];
      });
    }
    if (cell === null || typeof cell !== 'object') return cell;
    // No prototype, so a field named __proto__ is a field like any other.
    const out: Record<string, unknown> = Object.create(null);
    for (const [name, value] of Object.entries(cell)) out[name] = (byName.get(name) ?? same)(value);
    return out;
  };
}

function map(key: ValueDecoder, value: ValueDecoder): ValueDecoder {
  return (cell) => {
    if (!Array.isArray(cell)) return cell;
    return new Map(cell.map((pair) => [key((pair as unknown[])[0]), value((pair as unknown[])[1])]));
  };
}

function union(members: { name: string; type: TypeNode }[]): ValueDecoder {
  const byTag = new Map(members.map((m) => [m.name, decoderFor(m.type)]));
  return (cell) => {
    if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) return cell;
    const { tag, value } = cell as { tag: string; value: unknown };
    return { tag, value: (byTag.get(tag) ?? same)(value) };
  };
}

function decoderFor(type: TypeNode): ValueDecoder {
  switch (type.kind) {
    case 'scalar':
      return scalar(type.name);
    case 'list':
      return list(decoderFor(type.item), type.item.kind === 'list');
    case 'struct':
      return struct(type.fields);
    case 'map':
      return map(decoderFor(type.key), decoderFor(type.value));
    case 'union':
      return union(type.members);
  }
}

/**
 * A decoder for the values of a column of `type` (the engine's type name, as in `columns`): 64-bit
 * and wider integers become `BigInt` (an INTEGER only beyond 2^53, where SQLite's are 64-bit), floats numbers (`"NaN"`, `"-0"`, … too), bytes `Uint8Array`,
 * zone-aware timestamps `Date` (milliseconds: the ISO text holds the rest), MAPs `Map`, STRUCTs
 * objects without a prototype (or their `[name, value]` pairs), LISTs arrays, each element by its
 * type. DECIMALs stay their exact strings, dates and times without a zone ISO strings, JSON columns
 * their text; `null` is null. Build it once per column: it parses the type name.
 */
export function valueDecoder(type: string): ValueDecoder {
  const decode = decoderFor(parseType(type));
  return (cell) => (cell === null ? null : decode(cell));
}

/** The rows of a TABLE page with every cell decoded by its column's type (see `valueDecoder`). */
export function decodeRows(columns: readonly Column[], rows: readonly (readonly unknown[])[]): unknown[][] {
  const decoders = columns.map((c) => valueDecoder(c.type));
  return rows.map((row) => row.map((cell, i) => (decoders[i] ?? same)(cell)));
}
