import type {
  DuckDBArrayType,
  DuckDBListType,
  DuckDBMapType,
  DuckDBStructType,
  DuckDBType,
  DuckDBUnionType,
} from '@duckdb/node-api';
import { duckdb } from '../duckdb-api.js';

const { DuckDBTypeId } = duckdb;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Column type names as DuckDB itself prints them (`typeof()`, DESCRIBE): an alias such as `JSON`
 * by its name, a field name quoted only when it must be (DuckDB's KeywordHelper: anything but ASCII
 * letters, digits and `_`, or a keyword), the fields of an unnamed `row(…)` without names.
 * @duckdb/node-api's own `toString` quotes every name and forgets aliases.
 */
export class TypeNames {
  readonly #keywords: ReadonlySet<string>;

  /** `keywords`: DuckDB's keywords (`duckdb_keywords()`), in lower case. */
  constructor(keywords: Iterable<string>) {
    this.#keywords = new Set([...keywords].map((k) => k.toLowerCase()));
  }

  name(type: DuckDBType): string {
    if (type.alias) return type.alias;
    switch (type.typeId) {
      case DuckDBTypeId.STRUCT: {
        const struct = type as DuckDBStructType;
        return `STRUCT(${this.#fields(struct.entryNames, struct.entryTypes)})`;
      }
      case DuckDBTypeId.UNION: {
        const union = type as DuckDBUnionType;
        return `UNION(${this.#fields(union.memberTags, union.memberTypes)})`;
      }
      case DuckDBTypeId.LIST:
        return `${this.name((type as DuckDBListType).valueType)}[]`;
      case DuckDBTypeId.ARRAY: {
        const array = type as DuckDBArrayType;
        return `${this.name(array.valueType)}[${array.length}]`;
      }
      case DuckDBTypeId.MAP: {
        const map = type as DuckDBMapType;
        return `MAP(${this.name(map.keyType)}, ${this.name(map.valueType)})`;
      }
      default:
        return String(type);
    }
  }

  identifier(name: string): string {
    if (PLAIN_NAME.test(name) && !this.#keywords.has(name.toLowerCase())) return name;
    return `"${name.replaceAll('"', '""')}"`;
  }

  #fields(names: readonly string[], types: readonly DuckDBType[]): string {
    return names
      .map((name, i) => (name === '' ? this.name(types[i]!) : `${this.identifier(name)} ${this.name(types[i]!)}`))
      .join(', ');
  }
}
