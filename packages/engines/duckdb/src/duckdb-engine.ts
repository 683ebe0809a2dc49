import { BadRequestError, defineEngine } from '@engineconn/core';
import { duckdb } from './duckdb-api.js';
import { DUCKDB_DEFAULT_OPTIONS, readDuckDBOptions } from './duckdb-options.js';
import { DuckDBSession } from './duckdb-session.js';
import { SqlExecutor } from './sql-executor.js';

/** `major.minor` of the DuckDB library the binding carries, e.g. `1.5` from `v1.5.6`. */
export function duckdbVersion(libraryVersion: string = duckdb.version()): string {
  const match = /^v?(\d+)\.(\d+)/.exec(libraryVersion);
  return match ? `${match[1]}.${match[2]}` : libraryVersion;
}

/**
 * Embedded DuckDB: one database per EngineConn (a file, or in memory), a connection per running
 * task, rows streamed chunk by chunk, kill by `connection.interrupt()`.
 *
 * Eight tasks at once by default: DuckDB already spreads each query over every core, so more
 * parallel queries add no throughput, only memory; eight keeps a short query from waiting behind a
 * few long ones, and the rest queue visibly (Scheduled) instead of thrashing.
 */
export const duckdbEngine = defineEngine<DuckDBSession>({
  name: 'duckdb',
  version: duckdbVersion(),
  description: 'Embedded DuckDB: one database, a connection per running task, streamed results',
  defaultExecutor: 'concurrent',
  executors: ['serial', 'concurrent', 'async', 'once'],
  runTypes: ['sql'],
  defaultConcurrency: 8,
  optionKeys: [
    'duckdb.path',
    'duckdb.readOnly',
    'duckdb.threads',
    'duckdb.memoryLimit',
    'duckdb.progressIntervalMs',
    'duckdb.threadpoolSlots',
    'duckdb.externalAccess',
  ],
  defaultOptions: DUCKDB_DEFAULT_OPTIONS,
  async createSession(ctx, env) {
    const options = readDuckDBOptions(ctx, env.concurrency);
    const session = await DuckDBSession.open(options);
    env.logger.info(
      {
        path: options.path,
        readOnly: options.readOnly,
        externalAccess: options.externalAccess,
        threads: options.threads ?? 'default',
        threadpoolSlots: options.threadpoolSlots,
        duckdb: duckdb.version(),
      },
      'DuckDB session ready',
    );
    return session;
  },
  createExecutor(session, runType) {
    if (runType !== 'sql') throw new BadRequestError(`The duckdb engine runs 'sql' code, not '${runType}'.`);
    return new SqlExecutor(session);
  },
  async closeSession(session) {
    session.close();
  },
  checkHealth(session) {
    return session.state === 'open' ? 'Healthy' : 'UnHealthy';
  },
});
