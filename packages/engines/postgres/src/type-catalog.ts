import pg from 'pg';

/** What the engine needs to know about one PostgreSQL type. */
export interface PgTypeInfo {
  /** `format_type(oid, NULL)`, e.g. `integer`, `timestamp with time zone`, `text[]`. */
  name: string;
  /** Element type of an array type, 0 otherwise. */
  elem: number;
  /** pg_type.typcategory, e.g. `A` for arrays. */
  category: string;
  delimiter: string;
}

/** Something that can run a catalog query (the session's control client). */
export interface CatalogQuerier {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

const TYPE_QUERY =
  'SELECT oid::int8 AS oid, format_type(oid, NULL) AS name, typelem::int8 AS elem, ' +
  'typcategory AS category, typdelim AS delimiter FROM pg_type';

// Text-format parser for any one-dimensional or nested array literal; the elements stay strings and are
// converted per element type below.
const TEXT_ARRAY_OID = 1009 as Parameters<typeof pg.types.getTypeParser>[0];
const parseTextArray = pg.types.getTypeParser(TEXT_ARRAY_OID, 'text') as (text: string) => unknown;

const ISO_TIMESTAMP = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)?(:\d\d(?::\d\d)?)?( BC)?$/;

/**
 * Column type names and JSON-safe value conversion for the text wire format. Loaded once per session
 * from pg_type; a type created later (CREATE TYPE) is looked up on first sight.
 */
export class TypeCatalog {
  readonly #types = new Map<number, PgTypeInfo>();
  readonly #querier: () => Promise<CatalogQuerier>;

  private constructor(querier: () => Promise<CatalogQuerier>) {
    this.#querier = querier;
  }

  static async load(querier: () => Promise<CatalogQuerier>): Promise<TypeCatalog> {
    const catalog = new TypeCatalog(querier);
    const { rows } = await (await querier()).query(TYPE_QUERY);
    for (const row of rows) catalog.#add(row);
    return catalog;
  }

  #add(row: Record<string, unknown>): void {
    this.#types.set(Number(row.oid), {
      name: String(row.name),
      elem: Number(row.elem),
      category: String(row.category),
      delimiter: String(row.delimiter),
    });
  }

  /** Makes sure every oid is known, asking the server for the ones created after the session started. */
  async resolve(oids: readonly number[]): Promise<void> {
    const missing = [...new Set(oids)].filter((oid) => !this.#types.has(oid));
    if (missing.length === 0) return;
    const { rows } = await (await this.#querier()).query(`${TYPE_QUERY} WHERE oid = ANY($1::oid[])`, [missing]);
    for (const row of rows) this.#add(row);
  }

  name(oid: number): string {
    return this.#types.get(oid)?.name ?? `oid:${oid}`;
  }

  /** Converts one text-format value to a JSON-safe value without losing information. */
  convert(oid: number, text: string | null): unknown {
    if (text === null) return null;
    switch (oid) {
      case 16: // bool
        return text === 't';
      case 21: // int2
      case 23: // int4
      case 26: // oid
        return Number(text);
      case 700: // float4
      case 701: {
        // float8: NaN and Infinity have no JSON number form.
        const n = Number(text);
        return Number.isFinite(n) ? n : text;
      }
      case 20: // int8
      case 1700: {
        // numeric: a number only when it survives the round trip (no 2^53 overflow, no lost scale,
        // no NaN); otherwise the exact text.
        const n = Number(text);
        return Number.isFinite(n) && String(n) === text ? n : text;
      }
      case 114: // json
      case 3802: // jsonb
        return JSON.parse(text);
      case 1114: // timestamp
      case 1184: // timestamptz
        return isoTimestamp(text);
      default: {
        const info = this.#types.get(oid);
        if (info?.category === 'A' && info.elem !== 0 && info.delimiter === ',') {
          return mapNested(parseTextArray(text), (element) => this.convert(info.elem, element));
        }
        return text;
      }
    }
  }
}

/** `2024-01-02 03:04:05.123456+00` → `2024-01-02T03:04:05.123456+00:00` (keeps microseconds). */
function isoTimestamp(text: string): string {
  const m = ISO_TIMESTAMP.exec(text);
  if (!m || m[5]) return text;
  const offset = m[3] ? `${m[3]}${m[4] ?? ':00'}` : '';
  return `${m[1]}T${m[2]}${offset}`;
}

function mapNested(value: unknown, fn: (element: string | null) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapNested(v, fn));
  return fn(value as string | null);
}
