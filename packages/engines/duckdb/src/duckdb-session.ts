import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { EngineConnError, ShuttingDownError } from '@engineconn/core';
import { duckdb } from './duckdb-api.js';
import { type DuckDBOptions, instanceConfig } from './duckdb-options.js';
import { ThreadpoolGate } from './threadpool-gate.js';

type SessionState = 'open' | 'closed';

// Query progress is only tracked with the progress bar on; it must not print, and it should count
// from the first millisecond. These are connection-local settings, so each new connection gets them.
const CONNECTION_SETUP =
  'SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0';

/**
 * One DuckDB database (a file or in memory) and the connections tasks run on. Each running task has
 * a connection of its own, so tasks run in parallel and an interrupt stops only its task's query.
 * Connections are reused when the task left no connection-local state behind (see SqlExecutor);
 * a reused connection runs `select 1` about twice as fast as a new one, which needs its settings.
 */
export class DuckDBSession {
  readonly options: DuckDBOptions;
  readonly gate: ThreadpoolGate;
  readonly #instance: DuckDBInstance;
  readonly #idle: DuckDBConnection[] = [];
  readonly #leased = new Set<DuckDBConnection>();
  #state: SessionState = 'open';

  private constructor(instance: DuckDBInstance, options: DuckDBOptions) {
    this.#instance = instance;
    this.options = options;
    this.gate = new ThreadpoolGate(options.threadpoolSlots);
  }

  static async open(options: DuckDBOptions): Promise<DuckDBSession> {
    let instance: DuckDBInstance;
    try {
      instance = await duckdb.DuckDBInstance.create(options.path, instanceConfig(options));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new EngineConnError(
        'EC_ENGINE_START_FAILED',
        `Could not open DuckDB database '${options.path}': ${reason}`,
        {
          cause: err,
        },
      );
    }
    const session = new DuckDBSession(instance, options);
    // A first connection proves the database works and is kept for the first task.
    try {
      session.release(await session.acquire(), true);
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  get state(): SessionState {
    return this.#state;
  }

  get idleConnections(): number {
    return this.#idle.length;
  }

  get leasedConnections(): number {
    return this.#leased.size;
  }

  /** A connection for one task: an idle one, or a new one. */
  async acquire(): Promise<DuckDBConnection> {
    this.#assertOpen();
    let connection = this.#idle.pop();
    if (!connection) {
      connection = await this.#instance.connect();
      try {
        await connection.run(CONNECTION_SETUP);
      } catch (err) {
        connection.disconnectSync();
        throw err;
      }
      if (this.#state !== 'open') {
        connection.disconnectSync();
        this.#assertOpen();
      }
    }
    this.#leased.add(connection);
    return connection;
  }

  /** Gives a connection back; one that may carry state (or is not wanted) is disconnected. */
  release(connection: DuckDBConnection, reusable: boolean): void {
    if (!this.#leased.delete(connection)) return;
    if (reusable && this.#state === 'open' && this.#idle.length < this.options.maxIdleConnections) {
      this.#idle.push(connection);
    } else {
      connection.disconnectSync();
    }
  }

  /**
   * Disconnects the idle connections and closes the database; a file is checkpointed once the last
   * connection is gone. A connection still leased (the runtime closes the session only after every
   * task stopped, so this is a fault) is interrupted, not pulled from under its query, and
   * disconnected when its task releases it. Idempotent.
   */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const connection of this.#leased) connection.interrupt();
    for (const connection of this.#idle.splice(0)) connection.disconnectSync();
    this.#instance.closeSync();
  }

  #assertOpen(): void {
    if (this.#state !== 'open') throw new ShuttingDownError();
  }
}
