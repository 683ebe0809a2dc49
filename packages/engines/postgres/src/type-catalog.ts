import { floatCell, integerCell, isoDateTime, isoTimeTz } from '@engineconn/core';
import pg from 'pg';

/** What the engine needs to know about one PostgreSQL type. */
export interface PgTypeInfo {
  /** `format_type(oid, -1)`, e.g. `integer`, `timestamp with time zone`, `text[]`. */
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

/** A column's type as the row description gives it. */
export interface PgColumnType {
  oid: number;
  /** The type modifier (`numeric(38,10)`, `varchar(25)`); -1 when the type has none. */
  typmod: number;
}

const TYPE_QUERY =
  'SELECT oid::int8 AS oid, format_type(oid, -1) AS name, typelem::int8 AS elem, ' +
  'typcategory AS category, typdelim AS delimiter FROM pg_type';
const MODIFIED_NAMES_QUERY =
  'SELECT m.oid::int8 AS oid, m.typmod, format_type(m.oid, m.typmod) AS name ' +
  'FROM unnest($1::oid[], $2::int4[]) AS m(oid, typmod)';

// Text-format parser for any one-dimensional or nested array literal; the elements stay strings and are
// converted per element type below.
const TEXT_ARRAY_OID = 1009 as Parameters<typeof pg.types.getTypeParser>[0];
const parseTextArray = pg.types.getTypeParser(TEXT_ARRAY_OID, 'text') as (text: string) => unknown;

const key = (oid: number, typmod: number) => `${oid}:${typmod}`;

/**
 * Column type names and conversion of text-format values to cells (docs/api.md). Loaded once per
 * session from pg_type; a type created later (CREATE TYPE) or a modifier not seen yet
 * (`numeric(38,10)`) is looked up on first sight.
 */
export class TypeCatalog {
  readonly #types = new Map<number, PgTypeInfo>();
  /** Full names of types with a modifier, by `oid:typmod`. */
  readonly #modified = new Map<string, string>();
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

  /** Makes sure every column's type is known, asking the server for the ones it has not seen. */
  async resolve(columns: readonly PgColumnType[]): Promise<void> {
    const missing = [...new Set(columns.map((c) => c.oid))].filter((oid) => !this.#types.has(oid));
    if (missing.length > 0) {
      const { rows } = await (await this.#querier()).query(`${TYPE_QUERY} WHERE oid = ANY($1::oid[])`, [missing]);
      for (const row of rows) this.#add(row);
    }
    const modified = columns.filter((c) => c.typmod >= 0 && !this.#modified.has(key(c.oid, c.typmod)));
    if (modified.length > 0) {
      const { rows } = await (await this.#querier()).query(MODIFIED_NAMES_QUERY, [
        modified.map((c) => c.oid),
        modified.map((c) => c.typmod),
      ]);
      for (const row of rows) this.#modified.set(key(Number(row.oid), Number(row.typmod)), String(row.name));
    }
  }

  /** The full type name, modifiers included (`format_type(oid, typmod)`, as psql's `\gdesc`). */
  name(column: PgColumnType): string {
    if (column.typmod >= 0) {
      const name = this.#modified.get(key(column.oid, column.typmod));
      if (name) return name;
    }
    return this.#types.get(column.oid)?.name ?? `oid:${column.oid}`;
  }

  /** Converts one text-format value to its cell (docs/api.md#values-in-results). */
  convert(oid: number, text: string | null): unknown {
    if (text === null) return null;
    switch (oid) {
      case 16: // bool
        return text === 't';
      case 21: // int2
      case 23: // int4
      case 26: // oid
        return Number(text);
      case 20: // int8
        return integerCell(text);
      case 700: // float4
      case 701: // float8: -0, NaN and ±Infinity have no JSON number
        return floatCell(Number(text));
      case 17: // bytea
        return byteaBase64(text);
      case 1082: // date
      case 1114: // timestamp
      case 1184: // timestamptz
        return isoDateTime(text);
      case 1266: // timetz
        return isoTimeTz(text);
      default: {
        // numeric keeps its scale, json/jsonb their exact text: both, and the rest, as the server wrote them.
        const info = this.#types.get(oid);
        if (info?.category === 'A' && info.elem !== 0 && info.delimiter === ',') {
          return mapNested(parseTextArray(text), (element) => this.convert(info.elem, element));
        }
        return text;
      }
    }
  }
}

/** bytea text (`\x0102` in the default hex output, or the escape format) as base64. */
function byteaBase64(text: string): string {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex').toString('base64');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '\\') {
      bytes.push(0x5c);
      i++;
    } else if (text[i] === '\\') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('base64');
}

function mapNested(value: unknown, fn: (element: string | null) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapNested(v, fn));
  return fn(value as string | null);
}
