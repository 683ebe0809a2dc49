import {
  EngineConnError,
  type ResultSetWriter,
  type SqlStatement,
  StatementExecutor,
  TaskCancelledError,
  type TaskContext,
} from '@engineconn/core';
import { KilledError } from './sqlite-process.js';
import type { SqliteSession } from './sqlite-session.js';

/**
 * Runs a task's statements in order against the session's database: readers stream into TABLE result
 * sets, other statements report their change count as TEXT. A kill stops the owning process.
 */
export class SqliteExecutor extends StatementExecutor<SqliteSession> {
  protected override readProperties(): void {}

  protected override async runStatements(task: TaskContext, statements: SqlStatement[]): Promise<void> {
    let running = false;
    let killing: Promise<void> | undefined;
    const onAbort = () => {
      if (!running) return;
      task.log(`Kill: stopping the SQLite process (pid ${this.session.pid}).`);
      killing = this.session.kill().then(({ stoppedMs }) => {
        task.log(`Kill: the SQLite process stopped after ${stoppedMs.toFixed(1)} ms.`);
        if (this.session.inMemory) {
          task.log('Kill: the database was in memory; its data is lost and a new empty database is open.');
        } else {
          task.log(`Kill: the database file ${this.session.path} is reopened; uncommitted changes are rolled back.`);
        }
      });
    };
    task.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const [index, statement] of statements.entries()) {
        this.startStatement(task, statement, index, statements.length);
        const started = performance.now();
        let writer: ResultSetWriter | undefined;
        let rows = 0;
        running = true;
        try {
          const result = await this.session.run(statement.text, {
            async onColumns(columns) {
              writer = await task.createResultSet({ type: 'TABLE', columns });
            },
            async onRows(batch) {
              await writer?.writeRows(batch);
              rows += batch.length;
            },
          });
          const ms = Math.round(performance.now() - started);
          if (result.reader) {
            task.log(`${rows} rows in ${ms} ms`);
          } else {
            const text = await task.createResultSet({ type: 'TEXT' });
            await text.write(`changes: ${result.changes}`);
            await text.close();
            task.log(`changes: ${result.changes} in ${ms} ms`);
          }
        } catch (err) {
          if (err instanceof KilledError || task.signal.aborted) {
            await killing;
            throw new TaskCancelledError(
              `the SQLite process running statement ${index + 1} of ${statements.length} was stopped.`,
            );
          }
          if (err instanceof EngineConnError && err.code === 'EC_ENGINE_ERROR') {
            throw new EngineConnError(
              'EC_ENGINE_ERROR',
              `${err.message} (statement ${index + 1} of ${statements.length})`,
              {
                cause: err,
              },
            );
          }
          throw err;
        } finally {
          running = false;
          await writer?.close();
        }
        task.progress((index + 1) / statements.length);
      }
      if (task.signal.aborted) throw new TaskCancelledError('after its last statement finished.');
    } finally {
      task.signal.removeEventListener('abort', onAbort);
    }
  }
}
