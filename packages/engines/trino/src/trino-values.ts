import {
  float32Cell,
  floatCell,
  integerCell,
  isoDateTime,
  isoTimeTz,
  MapValue,
  StructShape,
  StructValue,
} from '@engineconn/core';
import type { TrinoColumn, TypeSignature } from './protocol/trino-page.js';

// Trino's JSON values → the cell shapes core's one value encoder writes (docs/api.md). Trino already
// sends several types in the contract's form (decimals as strings keeping their scale, varbinary
// as base64, JSON as its text, NaN/Infinity as strings, dates as ISO), and the page parser keeps
// integers beyond 2^53 exact; the rest is done per type, by a converter built once per column from
// its type signature: floats through floatCell/float32Cell (-0), timestamps to ISO-8601 (a
// zone-aware one with the offset of its zone at that instant), ROW to StructValue, MAP to MapValue.

export type CellConverter = (value: unknown) => unknown;

const same: CellConverter = (v) => v;

const integer: CellConverter = (v) => (typeof v === 'string' || typeof v === 'number' ? integerCell(v) : v);
const double: CellConverter = (v) => (typeof v === 'number' ? floatCell(v) : v);
const real: CellConverter = (v) => (typeof v === 'number' ? float32Cell(v) : v);
const timestamp: CellConverter = (v) => (typeof v === 'string' ? isoDateTime(v) : v);
const timeTz: CellConverter = (v) => (typeof v === 'string' ? isoTimeTz(v) : v);

// Offsets of named zones, computed by Intl for the instant in question (DST included).
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function zoneOffset(zone: string, utcMillis: number): string | undefined {
  let format = offsetFormats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      return undefined;
    }
    offsetFormats.set(zone, format);
  }
  const name = format.formatToParts(utcMillis).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT([+-]\d{2}:\d{2}(?::\d{2})?)?$/.exec(name);
  return m ? (m[1] ?? '+00:00') : undefined;
}

function offsetMillis(offset: string): number {
  const [hh, mm, ss] = offset.slice(1).split(':').map(Number);
  return (offset.startsWith('-') ? -1 : 1) * (((hh ?? 0) * 60 + (mm ?? 0)) * 60 + (ss ?? 0)) * 1000;
}

const ZONED = /^(-?\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) (.+)$/;

/** "2020-01-01 01:02:03.123 America/New_York" → "2020-01-01T01:02:03.123-05:00". */
function zonedTimestamp(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = ZONED.exec(value);
  if (!m) return value;
  const [, date, time, zone] = m as unknown as [string, string, string, string];
  if (/^[+-]\d{2}:\d{2}$/.test(zone)) return isoDateTime(`${date} ${time}${zone}`);
  if (zone === 'UTC' || zone === 'Z') return isoDateTime(`${date} ${time}+00:00`);
  // The wall-clock time read as UTC, corrected by the zone's offset near it (twice, for DST edges).
  const wall = Date.parse(`${date}T${time.slice(0, 12)}Z`);
  if (Number.isNaN(wall)) return value;
  const first = zoneOffset(zone, wall);
  if (!first) return value;
  const offset = zoneOffset(zone, wall - offsetMillis(first)) ?? first;
  return isoDateTime(`${date} ${time}${offset}`);
}

function argumentTypes(signature: TypeSignature): TypeSignature[] {
  return signature.arguments.flatMap((a) => (a.kind === 'TYPE' ? [a.value as TypeSignature] : []));
}

/** JSON object keys are text: a MAP's keys go back to their type where the text form differs. */
function mapKey(signature: TypeSignature | undefined): CellConverter {
  switch (signature?.rawType) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint':
      return (k) => (typeof k === 'string' && /^-?\d+$/.test(k) ? integerCell(k) : k);
    case 'real':
      return (k) => (typeof k === 'string' && !Number.isNaN(Number(k)) ? float32Cell(Number(k)) : k);
    case 'double':
      return (k) => (typeof k === 'string' && !Number.isNaN(Number(k)) ? floatCell(Number(k)) : k);
    case 'boolean':
      return (k) => (k === 'true' ? true : k === 'false' ? false : k);
    default:
      return signature ? converterFor(signature) : same;
  }
}

interface RowField {
  fieldName?: { name: string } | undefined;
  typeSignature: TypeSignature;
}

/** The converter for one Trino type signature. */
export function converterFor(signature: TypeSignature): CellConverter {
  switch (signature.rawType) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint':
      return integer;
    case 'double':
      return double;
    case 'real':
      return real;
    case 'timestamp':
      return timestamp;
    case 'timestamp with time zone':
      return zonedTimestamp;
    case 'time with time zone':
      return timeTz;
    case 'array': {
      const element = argumentTypes(signature)[0];
      const inner = element ? converterFor(element) : same;
      return (v) => (Array.isArray(v) ? v.map((x) => (x === null ? null : inner(x))) : v);
    }
    case 'map': {
      const [keyType, valueType] = argumentTypes(signature);
      const key = mapKey(keyType);
      const value = valueType ? converterFor(valueType) : same;
      return (v) => {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
        const entries = Object.entries(v);
        return new MapValue(
          entries.map(([k]) => key(k)),
          entries.map(([, x]) => (x === null ? null : value(x))),
        );
      };
    }
    case 'row': {
      const fields = signature.arguments.flatMap((a) => (a.kind === 'NAMED_TYPE' ? [a.value as RowField] : []));
      const shape = new StructShape(fields.map((f) => f.fieldName?.name ?? ''));
      const converters = fields.map((f) => converterFor(f.typeSignature));
      return (v) =>
        Array.isArray(v)
          ? new StructValue(
              shape,
              v.map((x, i) => (x === null ? null : (converters[i] ?? same)(x))),
            )
          : v;
    }
    default:
      return same;
  }
}

/** Converters for a page's columns; columns without a signature pass through. */
export function rowConverter(columns: readonly TrinoColumn[]): (row: readonly unknown[]) => unknown[] {
  const converters = columns.map((c) => (c.typeSignature ? converterFor(c.typeSignature) : same));
  return (row) => row.map((v, i) => (v === null ? null : (converters[i] ?? same)(v)));
}
