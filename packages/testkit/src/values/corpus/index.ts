// Each SQL engine's corpus of edge values, for its value-fidelity test (runValueFidelitySuite).
export { DUCKDB_CORPUS } from './duckdb.js';
export { POSTGRES_CORPUS } from './postgres.js';
export { SQLITE_CORPUS, SQLITE_SETUP, SQLITE_WITHOUT } from './sqlite.js';
export { TRINO_CORPUS } from './trino.js';
