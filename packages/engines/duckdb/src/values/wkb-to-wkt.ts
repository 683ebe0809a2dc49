/**
 * Well-known binary (ISO, and EWKB's Z/M flags) to well-known text, written as DuckDB writes it:
 * `POINT (1 2)`, `POINT Z (1 2 3)`, `POINT EMPTY`, `MULTIPOINT (1 2, 3 4)`. DuckDB hands
 * GEOMETRY values over as WKB; results carry WKT (docs/api.md#duckdb).
 */

const KINDS = [
  '',
  'POINT',
  'LINESTRING',
  'POLYGON',
  'MULTIPOINT',
  'MULTILINESTRING',
  'MULTIPOLYGON',
  'GEOMETRYCOLLECTION',
] as const;
const EWKB_Z = 0x80000000;
const EWKB_M = 0x40000000;
const EWKB_SRID = 0x20000000;

class WkbReader {
  #at = 0;
  #little = true;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  byteOrder(): void {
    this.#little = this.#view.getUint8(this.#at) === 1;
    this.#at += 1;
  }

  uint32(): number {
    const value = this.#view.getUint32(this.#at, this.#little);
    this.#at += 4;
    return value;
  }

  float64(): number {
    const value = this.#view.getFloat64(this.#at, this.#little);
    this.#at += 8;
    return value;
  }
}

function coordinate(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function point(reader: WkbReader, dims: number): string | null {
  const values: number[] = [];
  for (let i = 0; i < dims; i++) values.push(reader.float64());
  return values.every(Number.isNaN) ? null : values.map(coordinate).join(' ');
}

function points(reader: WkbReader, dims: number): string[] {
  const count = reader.uint32();
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(point(reader, dims) ?? 'NaN NaN');
  return out;
}

/** One geometry's body: `(…)` or `EMPTY`, and its kind and dimension label. */
function geometry(reader: WkbReader): { head: string; body: string } {
  reader.byteOrder();
  let type = reader.uint32();
  let hasZ = (type & EWKB_Z) !== 0;
  let hasM = (type & EWKB_M) !== 0;
  if (type & EWKB_SRID) reader.uint32();
  type &= 0x0fffffff;
  const iso = Math.floor(type / 1000);
  if (iso === 1 || iso === 3) hasZ = true;
  if (iso === 2 || iso === 3) hasM = true;
  const kind = KINDS[type % 1000];
  if (!kind) throw new Error(`unknown WKB geometry type ${type}`);
  const dims = 2 + (hasZ ? 1 : 0) + (hasM ? 1 : 0);
  const head = `${kind}${hasZ && hasM ? ' ZM' : hasZ ? ' Z' : hasM ? ' M' : ''}`;
  const wrap = (parts: string[]) => (parts.length === 0 ? 'EMPTY' : `(${parts.join(', ')})`);
  switch (kind) {
    case 'POINT': {
      const p = point(reader, dims);
      return { head, body: p === null ? 'EMPTY' : `(${p})` };
    }
    case 'LINESTRING':
      return { head, body: wrap(points(reader, dims)) };
    case 'POLYGON': {
      const rings: string[] = [];
      for (let n = reader.uint32(), i = 0; i < n; i++) rings.push(`(${points(reader, dims).join(', ')})`);
      return { head, body: wrap(rings) };
    }
    default: {
      const parts: string[] = [];
      for (let n = reader.uint32(), i = 0; i < n; i++) {
        const part = geometry(reader);
        if (kind === 'GEOMETRYCOLLECTION') parts.push(`${part.head} ${part.body}`);
        // DuckDB writes a MULTIPOINT's points bare: `MULTIPOINT (1 2, 3 4)`.
        else parts.push(kind === 'MULTIPOINT' ? part.body.slice(1, -1) : part.body);
      }
      return { head, body: wrap(parts) };
    }
  }
}

export function wkbToWkt(bytes: Uint8Array): string {
  const { head, body } = geometry(new WkbReader(bytes));
  return `${head} ${body}`;
}
