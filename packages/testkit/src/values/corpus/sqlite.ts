import type { ValueCase } from '../value-case.js';

/** Declared column types, for the cases that read a table (an expression has no declared type). */
export const SQLITE_SETUP: readonly string[] = [
  'CREATE TABLE typed(d DECIMAL(10,2), s VARCHAR(25), b BLOB, t DATETIME, j JSON)',
  "INSERT INTO typed VALUES (1.10, 'x', x'00ff', '2024-01-02 03:04:05', '{\"b\": 12345678901234567890}')",
];

/**
 * SQLite's edge values. SQLite stores INTEGER, REAL, TEXT, BLOB and NULL only: a declared DECIMAL
 * holds a REAL, dates are TEXT and there are no nested types. `native` is better-sqlite3's value
 * (with safe integers) printed: digits for an integer, a REAL as JS prints it with -0 kept, a BLOB
 * as `x'…'`; the type is the declared one, else the value's storage class.
 */
export const SQLITE_CORPUS: readonly ValueCase[] = [
  { sql: '9007199254740991', json: '9007199254740991', native: '9007199254740991', tags: ['bounds'], doc: true },
  { sql: '9007199254740992', json: '"9007199254740992"', native: '9007199254740992', tags: ['bounds'], doc: true },
  { sql: '-9007199254740992', json: '"-9007199254740992"', native: '-9007199254740992', tags: ['bounds'] },
  { sql: '9223372036854775807', json: '"9223372036854775807"', native: '9223372036854775807', tags: ['bounds'] },
  { sql: '-9223372036854775808', json: '"-9223372036854775808"', native: '-9223372036854775808', tags: ['bounds'] },
  { sql: '0', json: '0', native: '0', tags: ['bounds'] },
  {
    sql: '1.7976931348623157e308',
    json: '1.7976931348623157e+308',
    native: '1.7976931348623157e+308',
    tags: ['bounds'],
    doc: true,
  },
  { sql: '5e-324', json: '5e-324', native: '5e-324', tags: ['bounds'] },
  { sql: '0.1', json: '0.1', native: '0.1', tags: ['bounds'] },
  { sql: '-0.0', json: '"-0"', native: '-0', tags: ['special-float'] },
  { sql: '1e999', json: '"Infinity"', native: 'Infinity', tags: ['special-float'] },
  { sql: '-1e999', json: '"-Infinity"', native: '-Infinity', tags: ['special-float'] },
  { sql: '0.0 / 0', json: 'null', native: null, tags: ['special-float', 'null'] },
  { sql: 'NULL', json: 'null', native: null, tags: ['null'], doc: true },
  { sql: "''", json: '""', native: '', tags: ['unicode'] },
  {
    sql: "'héllo wörld ✓ 😀 𝄞'",
    json: '"héllo wörld ✓ 😀 𝄞"',
    native: 'héllo wörld ✓ 😀 𝄞',
    tags: ['unicode'],
    doc: true,
  },
  {
    sql: "char(0, 1, 10, 13, 9) || '\"\\' || char(8232, 127)",
    json: '"\\u0000\\u0001\\n\\r\\t\\"\\\\\u2028\u007f"',
    native: '\u0000\u0001\n\r\t"\\\u2028\u007f',
    tags: ['unicode'],
  },
  { sql: "'a,b\"c'", json: '"a,b\\"c"', native: 'a,b"c', tags: ['unicode'] },
  { sql: "x'00ff61'", json: '"AP9h"', native: "x'00ff61'", tags: ['bytes'], doc: true },
  { sql: 'zeroblob(0)', json: '""', native: "x''", tags: ['bytes'] },
  { sql: '', query: 'select d as v from typed', json: '1.1', native: '1.1', tags: ['decimal'], doc: true },
  { sql: '', query: 'select s as v from typed', json: '"x"', native: 'x', tags: ['unicode'], doc: true },
  { sql: '', query: 'select b as v from typed', json: '"AP8="', native: "x'00ff'", tags: ['bytes'], doc: true },
  {
    sql: '',
    query: 'select t as v from typed',
    json: '"2024-01-02 03:04:05"',
    native: '2024-01-02 03:04:05',
    tags: ['temporal'],
    doc: true,
  },
  {
    sql: '',
    query: 'select j as v from typed',
    json: '"{\\"b\\": 12345678901234567890}"',
    native: '{"b": 12345678901234567890}',
    tags: ['json'],
    doc: true,
  },
  {
    sql: `json('{"b":12345678901234567890, "2": 1, "1": 2, "__proto__": 3}')`,
    json: '"{\\"b\\":12345678901234567890,\\"2\\":1,\\"1\\":2,\\"__proto__\\":3}"',
    native: '{"b":12345678901234567890,"2":1,"1":2,"__proto__":3}',
    tags: ['json', 'names'],
  },
];

/** What SQLite has no type for. */
export const SQLITE_WITHOUT = {
  nested: 'SQLite has no LIST, STRUCT or MAP type; nested data is JSON text.',
} as const;
