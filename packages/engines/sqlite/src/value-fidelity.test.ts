import { caseQuery, runValueFidelitySuite } from '@engineconn/testkit';
import { SQLITE_CORPUS, SQLITE_SETUP, SQLITE_WITHOUT } from '@engineconn/testkit/corpus';
import Database from 'better-sqlite3';
import { sqliteEngine } from './sqlite-engine.js';

/** better-sqlite3's value as text: integers as digits, REALs as JS prints them (-0 kept), BLOBs as x'…'. */
function nativeText(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString('hex')}'`;
  return String(value);
}

const STORAGE_CLASSES: Record<string, string> = {
  bigint: 'INTEGER',
  number: 'REAL',
  string: 'TEXT',
  object: 'BLOB',
};

runValueFidelitySuite({
  plugin: sqliteEngine,
  setup: SQLITE_SETUP,
  cases: SQLITE_CORPUS,
  without: SQLITE_WITHOUT,
  // better-sqlite3 itself, on a database of its own with the same tables.
  async native(cases) {
    const db = new Database(':memory:');
    try {
      for (const statement of SQLITE_SETUP) db.exec(statement);
      return cases.map((c) => {
        const statement = db.prepare(caseQuery(c));
        statement.safeIntegers(true);
        statement.raw(true);
        const value = (statement.get() as unknown[])[0];
        const declared = statement.columns()[0]?.type;
        const type = declared ?? (value === null ? 'NULL' : (STORAGE_CLASSES[typeof value] ?? 'BLOB'));
        return { text: nativeText(value), type };
      });
    } finally {
      db.close();
    }
  },
});
