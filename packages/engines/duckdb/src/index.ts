import { duckdbEngine } from './duckdb-engine.js';

export { duckdbEngine, duckdbVersion } from './duckdb-engine.js';
export { DUCKDB_DEFAULT_OPTIONS, type DuckDBOptions } from './duckdb-options.js';
export { DuckDBSession } from './duckdb-session.js';
export { SqlExecutor } from './sql-executor.js';
export { type CellReader, cellReader, type ReadContext, rowsOfChunk } from './values/cell-readers.js';
export { TypeNames } from './values/type-names.js';
export { ZoneClock } from './values/zone-clock.js';

export default duckdbEngine;
