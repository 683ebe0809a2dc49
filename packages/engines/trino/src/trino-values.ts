import type { TrinoColumn, TypeSignature } from './protocol/trino-page.js';

// Trino's JSON values → DESIGN §13 cells. Trino already sends most types in the contract's form
// (decimals as strings keeping their scale, varbinary as base64, JSON as its text, NaN/Infinity
// as strings, dates as ISO); the page parser keeps integers beyond 2^53 exact. What is left to do
// is per type, so a converter is built once per column and applied to every cell:
// -0 → "-0"; timestamps → ISO-8601 ('T', and a zone-aware one with its offset); ROW → object (or
// [name, value] pairs when a field name is missing or repeated); MAP → [key, value] pairs.

export type CellConverter = (value: unknown) => unknown;

const same: CellConverter = (v) => v;

function float(value: unknown): unknown {
  return Object.is(value, -0) ? '-0' : value;
}

function timestamp(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(' ', 'T') : value;
}

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
  const m = /^GMT([+-]\d{2}:\d{2})?$/.exec(name);
  return m ? (m[1] ?? '+00:00') : undefined;
}

const ZONED = /^(-?\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) (.+)$/;

/** "2020-01-01 01:02:03.123 America/New_York" → "2020-01-01T01:02:03.123-05:00". */
function zonedTimestamp(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = ZONED.exec(value);
  if (!m) return value;
  const [, date, time, zone] = m as unknown as [string, string, string, string];
  if (/^[+-]\d{2}:\d{2}$/.test(zone)) return `${date}T${time}${zone}`;
  if (zone === 'UTC' || zone === 'Z') return `${date}T${time}+00:00`;
  // The wall-clock time read as UTC, corrected by the zone's offset near it (twice, for DST edges).
  const wall = Date.parse(`${date}T${time.slice(0, 12)}Z`);
  if (Number.isNaN(wall)) return value;
  const first = zoneOffset(zone, wall);
  if (!first) return value;
  const offsetMs = (o: string) =>
    (o.startsWith('-') ? -1 : 1) * (Number(o.slice(1, 3)) * 60 + Number(o.slice(4))) * 60_000;
  const offset = zoneOffset(zone, wall - offsetMs(first)) ?? first;
  return `${date}T${time}${offset}`;
}

function argumentTypes(signature: TypeSignature): TypeSignature[] {
  return signature.arguments.flatMap((a) => (a.kind === 'TYPE' ? [a.value as TypeSignature] : []));
}

function mapKey(signature: TypeSignature | undefined): CellConverter {
  // JSON object keys are text; numeric keys go back to numbers (unsafe integers stay strings).
  switch (signature?.rawType) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint':
      return (k) => (typeof k === 'string' && Number.isSafeInteger(Number(k)) ? Number(k) : k);
    case 'real':
    case 'double':
      return (k) => (typeof k === 'string' && !Number.isNaN(Number(k)) ? float(Number(k)) : k);
    case 'boolean':
      return (k) => (k === 'true' ? true : k === 'false' ? false : k);
    default:
      return signature ? converterFor(signature) : same;
  }
}

/** The converter for one Trino type signature. */
export function converterFor(signature: TypeSignature): CellConverter {
  switch (signature.rawType) {
    case 'double':
    case 'real':
      return float;
    case 'timestamp':
      return timestamp;
    case 'timestamp with time zone':
      return zonedTimestamp;
    case 'array': {
      const element = argumentTypes(signature)[0];
      const inner = element ? converterFor(element) : same;
      return (v) => (Array.isArray(v) ? v.map(inner) : v);
    }
    case 'map': {
      const [keyType, valueType] = argumentTypes(signature);
      const key = mapKey(keyType);
      const value = valueType ? converterFor(valueType) : same;
      return (v) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.entries(v).map(([k, x]) => [key(k), value(x)])
          : v;
    }
    case 'row': {
      const fields = signature.arguments.flatMap((a) =>
        a.kind === 'NAMED_TYPE'
          ? [
              a.value as {
                fieldName?: { name: string } | undefined;
                typeSignature: TypeSignature;
              },
            ]
          : [],
      );
      const names = fields.map((f) => f.fieldName?.name ?? '');
      const converters = fields.map((f) => converterFor(f.typeSignature));
      const asPairs = names.some((n) => n === '') || new Set(names).size !== names.length;
      return (v) => {
        if (!Array.isArray(v)) return v;
        const cells = v.map((x, i) => (converters[i] ?? same)(x));
        if (asPairs) return cells.map((x, i) => [names[i] ?? '', x]);
        // defineProperty, not assignment: a field named __proto__ stays an ordinary key.
        const out: Record<string, unknown> = {};
        cells.forEach((x, i) => {
          Object.defineProperty(out, names[i]!, { value: x, enumerable: true, writable: true, configurable: true });
        });
        return out;
      };
    }
    default:
      return same;
  }
}

/** Converters for a page's columns; columns without a signature pass through. */
export function rowConverter(columns: readonly TrinoColumn[]): (row: readonly unknown[]) => unknown[] {
  const converters = columns.map((c) => (c.typeSignature ? converterFor(c.typeSignature) : same));
  if (converters.every((c) => c === same)) return (row) => row as unknown[];
  return (row) => row.map((v, i) => (v === null ? null : (converters[i] ?? same)(v)));
}
