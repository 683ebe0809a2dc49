// Each SQL engine's corpus of edge values, for its value-fidelity test (runValueFidelitySuite).
export { DUCKDB_CORPUS } from './duckdb.js';
export { POSTGRES_CORPUS } from './postgres.js';
