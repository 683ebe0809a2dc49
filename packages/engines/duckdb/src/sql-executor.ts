import type { StatementType } from '@duckdb/node-api';
import { EngineConnError, type SqlStatement, StatementExecutor, type TaskContext } from '@engineconn/core';
import { duckdb } from './duckdb-api.js';
import type { DuckDBSession } from './duckdb-session.js';
import { Interrupter } from './interrupter.js';
import { runStatement, type StatementOutcome, statementsInfo } from './statement-runner.js';

/**
 * Statement types that leave nothing on the connection for the next task to trip over. Anything else
 * (SET, RESET, USE, transactions, PRAGMA, PREPARE, CALL, ...) may change connection-local state, so
 * the connection is dropped instead of reused.
 */
const STATELESS: ReadonlySet<StatementType> = new Set([
  duckdb.StatementType.SELECT,
  duckdb.StatementType.INSERT,
  duckdb.StatementType.UPDATE,
  duckdb.StatementType.DELETE,
  duckdb.StatementType.EXPLAIN,
  duckdb.StatementType.CREATE,
  duckdb.StatementType.CREATE_FUNC,
  duckdb.StatementType.DROP,
  duckdb.StatementType.ALTER,
  duckdb.StatementType.COPY,
  duckdb.StatementType.ANALYZE,
  duckdb.StatementType.EXPORT,
  duckdb.StatementType.VACUUM,
  duckdb.StatementType.ATTACH,
  duckdb.StatementType.DETACH,
  duckdb.StatementType.LOAD,
  duckdb.StatementType.COPY_DATABASE,
]);

/** Temporary tables, views, macros and sequences live in the connection's own catalog. */
const TEMPORARY = /\btemp(?:orary)?\b/i;

function leavesNoState(sql: string, outcome: StatementOutcome): boolean {
  return STATELESS.has(outcome.statementType) && !TEMPORARY.test(sql);
}

/**
 * Runs a `sql` task: the script is split into statements, which run one after another on a
 * connection of the task's own. The first failing statement fails the task; a kill interrupts the
 * running statement and the task fails with EC_TASK_CANCELLED, never as a short result.
 */
export class SqlExecutor extends StatementExecutor<DuckDBSession> {
  protected override readProperties(): void {}

  protected override async runStatements(task: TaskContext, statements: SqlStatement[]): Promise<void> {
    if (task.aborted) throw cancelledBefore(0, statements.length);
    const connection = await this.session.acquire();
    const interrupter = new Interrupter(task, connection);
    let clean = true;
    try {
      for (const [index, statement] of statements.entries()) {
        if (interrupter.requested) throw cancelledBefore(index, statements.length);
        const outcome = await runStatement({
          task,
          session: this.session,
          connection,
          interrupter,
          sql: statement.text,
          index,
          total: statements.length,
        });
        clean &&= leavesNoState(statement.text, outcome);
        // SET TimeZone (or SET GLOBAL, on every connection) changes how timestamps are written.
        if (!STATELESS.has(outcome.statementType)) this.session.forgetZones();
        // DuckDB plans a prepared statement with the tables' statistics of that moment, and a plan
        // run after the data changed can answer wrongly (a filter the old statistics ruled out
        // answers empty; an ORDER BY sorts on keys sized for the old values: duckdb/duckdb#23704,
        // fixed upstream by #24696 after the pinned 1.5.6). Settings are bound in at prepare too.
        // Anything but a SELECT may change data or settings, so every kept statement goes (also
        // before it runs: see openResult).
        if (outcome.statementType !== duckdb.StatementType.SELECT) this.session.forgetPrepared();
        task.progress((index + 1) / statements.length, statementsInfo(statements.length, index + 1, 0));
      }
    } catch (err) {
      // A failed statement may have left a transaction aborted or half a script's state behind.
      clean = false;
      throw err;
    } finally {
      interrupter.dispose();
      this.session.release(connection, clean && !interrupter.requested);
    }
  }
}

function cancelledBefore(index: number, total: number): EngineConnError {
  return new EngineConnError(
    'EC_TASK_CANCELLED',
    `The task was cancelled before statement ${index + 1}/${total} started.`,
  );
}
