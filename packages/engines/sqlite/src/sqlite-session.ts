import { resolve } from 'node:path';
import { EngineConnError, type EngineCreationContext, type EngineLogger, type SessionEnv } from '@engineconn/core';
import { SqliteProcess, type StatementHandlers, type StatementResult } from './sqlite-process.js';

export const DEFAULT_FETCH_ROWS = 1000;
const CLOSE_GRACE_MS = 5000;

/**
 * The SQLite session: one database owned by one child process, restarted (reopening the database) after
 * a kill or a crash. Statements run strictly one at a time.
 */
export class SqliteSession {
  readonly path: string;
  readonly fetchRows: number;
  readonly version: string;
  readonly #logger: EngineLogger;
  #process: SqliteProcess;
  #starting: Promise<SqliteProcess> | undefined;
  #closing: Promise<void> | undefined;

  private constructor(path: string, fetchRows: number, logger: EngineLogger, process: SqliteProcess, version: string) {
    this.path = path;
    this.fetchRows = fetchRows;
    this.#logger = logger;
    this.#process = process;
    this.version = version;
  }

  static async open(ctx: EngineCreationContext, env: SessionEnv): Promise<SqliteSession> {
    const raw = ctx.string('sqlite.path', ':memory:');
    const path = raw === ':memory:' || raw === '' ? ':memory:' : resolve(raw);
    const fetchRows = ctx.integer('sqlite.fetchRows', DEFAULT_FETCH_ROWS, 1);
    const proc = new SqliteProcess(path);
    const onAbort = () => proc.kill().catch(() => {});
    env.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const version = await proc.ready;
      return new SqliteSession(path, fetchRows, env.logger, proc, version);
    } catch (err) {
      await proc.kill().catch(() => {});
      throw new EngineConnError(
        'EC_ENGINE_START_FAILED',
        `Could not open the SQLite database '${path}': ${err instanceof Error ? err.message : String(err)}. ` +
          'Check sqlite.path (the directory must exist and be writable).',
        { cause: err },
      );
    } finally {
      env.signal.removeEventListener('abort', onAbort);
    }
  }

  get inMemory(): boolean {
    return this.path === ':memory:';
  }

  /** The pid of the process that owns the database now (it changes after a kill). */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  async run(sql: string, handlers: StatementHandlers): Promise<StatementResult> {
    const proc = await this.#live();
    return proc.run(sql, this.fetchRows, handlers);
  }

  /**
   * Stops whatever runs now by killing the process, and starts a fresh one on the same database. Resolves
   * once the old process is gone (the work has stopped); the new one starts in the background.
   */
  async kill(): Promise<{ stoppedMs: number }> {
    const started = performance.now();
    const old = this.#process;
    await old.kill();
    const stoppedMs = performance.now() - started;
    this.#logger.warn(
      { pid: old.pid, stoppedMs, path: this.path },
      this.inMemory
        ? 'SQLite process killed: the in-memory database and everything in it is lost; a new empty one is opened'
        : 'SQLite process killed; reopening the database file',
    );
    this.#restart();
    return { stoppedMs };
  }

  #restart(): Promise<SqliteProcess> {
    this.#starting ??= (async () => {
      const proc = new SqliteProcess(this.path);
      this.#process = proc;
      try {
        await proc.ready;
        return proc;
      } finally {
        this.#starting = undefined;
      }
    })();
    this.#starting.catch((err: unknown) => this.#logger.error({ err: String(err) }, 'SQLite restart failed'));
    return this.#starting;
  }

  async #live(): Promise<SqliteProcess> {
    if (this.#closing) throw new EngineConnError('EC_SHUTTING_DOWN', 'The SQLite session is closed.');
    if (this.#starting) return this.#starting;
    const proc = this.#process;
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      this.#logger.warn({ pid: proc.pid }, 'SQLite process had exited; starting a new one');
      return this.#restart();
    }
    await proc.ready;
    return proc;
  }

  async healthy(): Promise<boolean> {
    const proc = this.#process;
    return proc.child.exitCode === null && proc.child.signalCode === null && !this.#closing;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#starting?.catch(() => {});
      await this.#process.close(CLOSE_GRACE_MS);
    })();
    return this.#closing;
  }
}
