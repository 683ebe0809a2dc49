import { createRequire } from 'node:module';
import { defineEngine } from '@engineconn/core';
import { SqliteExecutor } from './sqlite-executor.js';
import { DEFAULT_FETCH_ROWS, SqliteSession } from './sqlite-session.js';

let libraryVersion: string | undefined;

/** SQLite's major.minor as compiled into better-sqlite3, read once from the library itself. */
function sqliteVersion(): string {
  if (libraryVersion === undefined) {
    try {
      const Database = createRequire(import.meta.url)('better-sqlite3') as new (
        path: string,
      ) => { prepare(sql: string): { pluck(): { get(): unknown } }; close(): void };
      const db = new Database(':memory:');
      const full = String(db.prepare('SELECT sqlite_version()').pluck().get());
      db.close();
      libraryVersion = full.split('.').slice(0, 2).join('.');
    } catch {
      libraryVersion = '3';
    }
  }
  return libraryVersion;
}

/**
 * SQLite through better-sqlite3, in a child process that owns the database so that the event loop never
 * blocks and a kill can always stop a query.
 */
export const sqliteEngine = defineEngine<SqliteSession>({
  name: 'sqlite',
  get version() {
    return sqliteVersion();
  },
  description: 'SQLite via better-sqlite3 in its own process: streamed results, kill by process restart',
  defaultExecutor: 'serial',
  executors: ['serial', 'once'],
  runTypes: ['sql', 'sqlite'],
  optionKeys: ['sqlite.path', 'sqlite.fetchRows'],
  defaultOptions: { 'sqlite.path': ':memory:', 'sqlite.fetchRows': String(DEFAULT_FETCH_ROWS) },
  async createSession(ctx, env) {
    const session = await SqliteSession.open(ctx, env);
    env.logger.info({ path: session.path, sqliteVersion: session.version, pid: session.pid }, 'SQLite session ready');
    return session;
  },
  createExecutor(session) {
    return new SqliteExecutor(session);
  },
  closeSession(session) {
    return session.close();
  },
  async checkHealth(session) {
    return (await session.healthy()) ? 'Healthy' : 'UnHealthy';
  },
});
