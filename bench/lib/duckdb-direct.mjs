// The direct DuckDB baseline, configured as the duckdb engine configures its database, so a ratio
// measures the EngineConn and not a different DuckDB set-up.
import { DuckDBInstance } from '@duckdb/node-api';

/** `external_threads=0` as in the engine's instanceConfig(): DuckDB's own workers use every core. */
export const openDirectDuckDB = () => DuckDBInstance.create(':memory:', { external_threads: '0' });
