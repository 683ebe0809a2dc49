import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { EngineConnError, ShuttingDownError } from '@engineconn/core';
import { duckdb } from './duckdb-api.js';
import { type DuckDBOptions, instanceConfig } from './duckdb-options.js';
import { StatementCache } from './statement-cache.js';
import { ThreadpoolGate } from './threadpool-gate.js';
import { TypeNames } from './values/type-names.js';
import { ZoneClock } from './values/zone-clock.js';

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
  /** SELECTs each connection prepared, kept for the next run of the same text. */
  readonly statements = new StatementCache();
  readonly #instance: DuckDBInstance;
  readonly #idle: DuckDBConnection[] = [];
  readonly #leased = new Set<DuckDBConnection>();
  /** Column type names as DuckDB prints them, with the database's keywords. */
  readonly typeNames: TypeNames;
  /** Each connection's `TimeZone`, read when first needed and again after a statement that may set it. */
  #zones = new WeakMap<DuckDBConnection, ZoneClock | null>();
  #state: SessionState = 'open';

  private constructor(instance: DuckDBInstance, options: DuckDBOptions, typeNames: TypeNames) {
    this.#instance = instance;
    this.options = options;
    this.typeNames = typeNames;
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
    // A first connection proves the database works, reads its keywords and is kept for the first task.
    let first: DuckDBConnection | undefined;
    try {
      first = await instance.connect();
      await first.run(CONNECTION_SETUP);
      const keywords = await first.runAndReadAll('SELECT keyword_name FROM duckdb_keywords()');
      const session = new DuckDBSession(
        instance,
        options,
        new TypeNames(keywords.getRows().map((row) => String(row[0]))),
      );
      session.#idle.push(first);
      return session;
    } catch (err) {
      first?.disconnectSync();
      instance.closeSync();
      throw err;
    }
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

  /**
   * The connection's `TimeZone` (a zone-aware timestamp is written in it), read before a statement
   * runs: a running statement's stream would be closed by a query on its connection. A zone that
   * Node's ICU does not know is null: such timestamps are written in UTC.
   */
  async zone(connection: DuckDBConnection): Promise<ZoneClock | null> {
    if (this.#zones.has(connection)) return this.#zones.get(connection) ?? null;
    const reader = await connection.runAndReadAll("SELECT current_setting('TimeZone')");
    const zone = ZoneClock.of(String(reader.getRows()[0]?.[0]));
    this.#zones.set(connection, zone);
    return zone;
  }

  /** After a statement that may change settings (SET, RESET, SET GLOBAL …): read every zone again. */
  forgetZones(): void {
    this.#zones = new WeakMap();
  }

  /** After a statement that may change settings: prepare every statement again (see StatementCache). */
  forgetPrepared(): void {
    this.statements.clear([...this.#idle, ...this.#leased]);
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
