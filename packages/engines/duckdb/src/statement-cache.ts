import type { DuckDBConnection, DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { duckdb } from './duckdb-api.js';
import type { TableShape } from './table-shape.js';

/** Prepared queries kept per connection; past it the least recently used one is destroyed. */
const PER_CONNECTION = 16;
/** Longer texts are rarely repeated verbatim, and the key would cost more than the plan saves. */
const MAX_SQL_LENGTH = 4096;

/** A prepared SELECT, how many rows its last run returned (see `materialise` in statement-runner), and its result's shape. */
export interface KeptStatement {
  readonly prepared: DuckDBPreparedStatement;
  readonly lastRows: number;
  readonly shape: TableShape;
}

/** A statement that ran without error, offered to the cache (see `give`). */
export interface RanStatement extends KeptStatement {
  readonly statementType: StatementType;
  /** The cache's generation when the statement was taken or prepared. */
  readonly generation: number;
}

/**
 * Keeps the SELECT statements a connection prepared, so that the same text on the same connection
 * runs without preparing it again: preparing is one of the few round trips through libuv's pool a
 * trivial query makes (prepare, execute, fetch), and on a busy machine each costs more than the query.
 * DuckDB rebinds a prepared statement itself when the catalog changed since it was prepared (a
 * table dropped and re-created with other columns answers with the new ones), but not when a
 * setting did (a TIMESTAMPTZ cast keeps the zone it was bound in), nor when the data did: the plan
 * was optimised with the statistics of the tables at prepare time, and can answer wrongly once
 * rows were written since. So the executor calls `clear()` after every statement that is not a
 * SELECT: a kept statement only ever runs on the data it was planned against.
 *
 * A statement is taken out while it runs and given back after, so the cache never holds one in use
 * and `clear()` can destroy all it holds. A connection's statements go with it when it is
 * disconnected (the connection destroys what it prepared).
 */
export class StatementCache {
  #byConnection = new WeakMap<DuckDBConnection, Map<string, KeptStatement>>();
  /** Bumped by clear(): a statement taken out before it is destroyed when given back. */
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }

  /** The connection's prepared statement for `sql`, removed from the cache until given back. */
  take(connection: DuckDBConnection, sql: string): KeptStatement | undefined {
    const statements = this.#byConnection.get(connection);
    const kept = statements?.get(sql);
    if (kept) statements?.delete(sql);
    return kept;
  }

  /**
   * Keeps a statement that ran without error for the next run of `sql` on its connection, if it is
   * a SELECT prepared since the last clear(); anything else is destroyed.
   */
  give(connection: DuckDBConnection, sql: string, ran: RanStatement): void {
    const { prepared } = ran;
    if (
      ran.generation !== this.#generation ||
      sql.length > MAX_SQL_LENGTH ||
      ran.statementType !== duckdb.StatementType.SELECT
    ) {
      prepared.destroySync();
      return;
    }
    let statements = this.#byConnection.get(connection);
    if (!statements) {
      statements = new Map();
      this.#byConnection.set(connection, statements);
    }
    statements.get(sql)?.prepared.destroySync();
    statements.delete(sql);
    statements.set(sql, { prepared, lastRows: ran.lastRows, shape: ran.shape });
    if (statements.size > PER_CONNECTION) {
      const [oldest, statement] = statements.entries().next().value as [string, KeptStatement];
      statements.delete(oldest);
      statement.prepared.destroySync();
    }
  }

  /** Forgets every kept statement (a setting may have changed how they were bound). */
  clear(connections: Iterable<DuckDBConnection>): void {
    this.#generation++;
    for (const connection of connections) {
      const statements = this.#byConnection.get(connection);
      if (!statements) continue;
      for (const statement of statements.values()) statement.prepared.destroySync();
      statements.clear();
    }
    this.#byConnection = new WeakMap();
  }
}
