import { runValueFidelitySuite } from '@engineconn/testkit';
import { DUCKDB_CORPUS } from '@engineconn/testkit/corpus';
import { duckdb } from './duckdb-api.js';
import { duckdbEngine } from './duckdb-engine.js';

const ZONE = "SET TimeZone = 'America/New_York'";

runValueFidelitySuite({
  plugin: duckdbEngine,
  setup: [ZONE],
  cases: DUCKDB_CORPUS,
  // DuckDB's own text (a cast to VARCHAR) and column type (DESCRIBE), on a database of its own.
  async native(cases) {
    const instance = await duckdb.DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(ZONE);
      const out = [];
      for (const c of cases) {
        const reader = await connection.runAndReadAll(
          `select CAST((${c.sql}) AS VARCHAR), (select column_type from (DESCRIBE select ${c.sql} as v))`,
        );
        const [text, type] = reader.getRows()[0] as [string | null, string];
        out.push({ text, type });
      }
      return out;
    } finally {
      connection.disconnectSync();
      instance.closeSync();
    }
  },
});
