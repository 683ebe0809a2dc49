import { defineEngine } from '@engineconn/core';
import { TrinoExecutor } from './trino-executor.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_RETRY_TIMEOUT_MS, TrinoSession } from './trino-session.js';

// The coordinator's version (GET /v1/info), known once a session has connected.
let serverVersion = 'unknown';

/**
 * Trino through our own client of its REST protocol: each statement is submitted and its pages
 * followed without holding a worker (the async executor); kill DELETEs the query and waits for the
 * coordinator to show it cancelled.
 */
export const trinoEngine = defineEngine<TrinoSession>({
  name: 'trino',
  get version() {
    return serverVersion;
  },
  description: 'Trino over its REST protocol: paged results, split progress, DELETE to cancel',
  defaultExecutor: 'async',
  executors: ['async', 'concurrent', 'once'],
  runTypes: ['sql'],
  optionKeys: [
    'trino.server',
    'trino.user',
    'trino.source',
    'trino.catalog',
    'trino.schema',
    'trino.connectTimeout',
    'trino.retryTimeout',
    'trino.timeZone',
  ],
  defaultOptions: {
    'trino.source': 'engineconn',
    'trino.connectTimeout': `${DEFAULT_CONNECT_TIMEOUT_MS}ms`,
    'trino.retryTimeout': `${DEFAULT_RETRY_TIMEOUT_MS}ms`,
  },
  async createSession(ctx, env) {
    const session = await TrinoSession.open(ctx, env);
    serverVersion = session.serverVersion;
    env.logger.info({ server: session.settings.server, serverVersion }, 'Trino session ready');
    return session;
  },
  createExecutor(session) {
    return new TrinoExecutor(session);
  },
  async closeSession(session) {
    // Each task's client session ends with its last page; only the idle connections are left.
    await session.close();
  },
  async checkHealth(session) {
    return session.health();
  },
});
