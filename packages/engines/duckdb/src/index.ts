import { duckdbEngine } from './duckdb-engine.js';

export { duckdbEngine, duckdbVersion } from './duckdb-engine.js';
export { DUCKDB_DEFAULT_OPTIONS, type DuckDBOptions } from './duckdb-options.js';
export { DuckDBSession } from './duckdb-session.js';
export { jsonValueConverter, rowsOfChunk } from './json-converter.js';
export { SqlExecutor } from './sql-executor.js';

export default duckdbEngine;
