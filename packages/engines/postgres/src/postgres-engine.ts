import { defineEngine } from '@engineconn/core';
import { PostgresExecutor } from './postgres-executor.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_FETCH_ROWS, PostgresSession } from './postgres-session.js';

// The engine label carries the server's major version, known only once a session has connected.
let serverMajor = '15';

/**
 * PostgreSQL through `pg`: a pool sized to the concurrency, statements streamed with a row-limited
 * portal, kill by `pg_cancel_backend` from a separate control connection.
 */
export const postgresEngine = defineEngine<PostgresSession>({
  name: 'postgres',
  get version() {
    return serverMajor;
  },
  description: 'PostgreSQL via pg: pooled sessions, streamed results, server-side cancel',
  defaultExecutor: 'concurrent',
  executors: ['serial', 'concurrent', 'async', 'once'],
  runTypes: ['sql', 'postgresql'],
  optionKeys: ['postgres.url', 'postgres.fetchRows', 'postgres.connectTimeout'],
  defaultOptions: {
    'postgres.fetchRows': String(DEFAULT_FETCH_ROWS),
    'postgres.connectTimeout': `${DEFAULT_CONNECT_TIMEOUT_MS}ms`,
  },
  async createSession(ctx, env) {
    const session = await PostgresSession.open(ctx, env);
    serverMajor = session.majorVersion;
    env.logger.info(
      { serverVersion: session.serverVersion, poolSize: Math.max(1, env.concurrency), fetchRows: session.fetchRows },
      'PostgreSQL session ready',
    );
    return session;
  },
  createExecutor(session) {
    return new PostgresExecutor(session);
  },
  closeSession(session) {
    return session.close();
  },
  async checkHealth(session) {
    try {
      await session.ping();
      return 'Healthy';
    } catch {
      return 'UnHealthy';
    }
  },
});
