import {
  BadRequestError,
  EngineConnError,
  EngineError,
  type SqlStatement,
  StatementExecutor,
  TaskCancelledError,
  type TaskContext,
} from '@engineconn/core';
import pg from 'pg';
import { PortalAbortedError } from './portal-query.js';
import type { PostgresSession } from './postgres-session.js';
import { TaskConnection } from './task-connection.js';

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** A SQL error as PostgreSQL reported it; `sqlState` is the five-character SQLSTATE code. */
export class PostgresQueryError extends EngineError {
  readonly sqlState: string;
  /** 1-based character offset in the task's code, when PostgreSQL gave a position. */
  readonly position: number | undefined;

  constructor(message: string, sqlState: string, position: number | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'PostgresQueryError';
    this.sqlState = sqlState;
    this.position = position;
  }
}

/** The task property `settings`: `{ "work_mem": "64MB", "search_path": "app" }`. */
export function parseSettings(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestError("Task property 'settings' must be an object of PostgreSQL setting names to values.");
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!SETTING_NAME.test(name)) throw new BadRequestError(`Task property 'settings' has an invalid name '${name}'.`);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new BadRequestError(`Task property 'settings.${name}' must be a string, number or boolean.`);
    }
    out[name] = String(v);
  }
  return out;
}

function lineAndColumn(code: string, offset: number): string {
  const before = code.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Runs a task's statements one after another on one pooled connection (so SET, temp tables and
 * transactions hold for the whole task), streaming each result and stopping at the first error.
 */
export class PostgresExecutor extends StatementExecutor<PostgresSession, Record<string, string>> {
  protected override readProperties(task: TaskContext): Record<string, string> {
    return parseSettings(task.properties.settings);
  }

  protected override async runStatements(
    task: TaskContext,
    statements: SqlStatement[],
    settings: Record<string, string>,
  ): Promise<void> {
    if (task.signal.aborted) throw new TaskCancelledError('before it started.');
    const conn = new TaskConnection(this.session, await this.#checkout(), task);
    let current = -1;
    try {
      try {
        await conn.applySettings(settings);
      } catch (err) {
        if (err instanceof pg.DatabaseError && !task.signal.aborted) {
          throw new PostgresQueryError(
            `Task property 'settings' could not be applied: ${err.message} (SQLSTATE ${err.code}).`,
            err.code ?? '',
            undefined,
            err,
          );
        }
        throw err;
      }
      for (const [index, statement] of statements.entries()) {
        this.startStatement(task, statement, index, statements.length);
        current = index;
        const started = performance.now();
        const outcome = await conn.statement(statement.text);
        const ms = Math.round(performance.now() - started);
        task.log(`${outcome.tag}${outcome.rows > 0 ? ` (${outcome.rows} rows streamed)` : ''} in ${ms} ms`);
        task.progress((index + 1) / statements.length);
      }
      if (task.signal.aborted) throw new TaskCancelledError('after its last statement finished.');
    } catch (err) {
      throw this.#translate(err, task, statements[current], current, statements.length, conn);
    } finally {
      await conn.release();
    }
  }

  async #checkout(): Promise<pg.PoolClient> {
    try {
      return await this.session.pool.connect();
    } catch (err) {
      throw new EngineError(`Could not open a PostgreSQL connection for this task: ${errMessage(err)}`, {
        cause: err,
      });
    }
  }

  #translate(
    err: unknown,
    task: TaskContext,
    statement: { start: number } | undefined,
    index: number,
    total: number,
    conn: TaskConnection,
  ): EngineConnError {
    if (task.signal.aborted) {
      if (err instanceof EngineConnError && err.code === 'EC_TASK_CANCELLED') return err;
      if (err instanceof PortalAbortedError)
        return new TaskCancelledError('stopped between row batches of a streaming result.');
      if (err instanceof pg.DatabaseError && err.code === '57014') {
        return new TaskCancelledError(`PostgreSQL cancelled statement ${index + 1} of ${total} (SQLSTATE 57014).`);
      }
      return new TaskCancelledError(`statement ${index + 1} of ${total} stopped (${errMessage(err)}).`);
    }
    if (err instanceof EngineConnError) return err;
    if (err instanceof pg.DatabaseError && err.severity !== 'FATAL' && err.severity !== 'PANIC') {
      const where: string[] = [];
      if (index >= 0) where.push(`statement ${index + 1} of ${total}`);
      let position: number | undefined;
      if (err.position && statement) {
        position = statement.start + Number(err.position);
        where.push(lineAndColumn(task.code, position - 1));
      }
      if (err.detail) task.log(`DETAIL: ${err.detail}`);
      if (err.hint) task.log(`HINT: ${err.hint}`);
      const extra = [err.detail ? `DETAIL: ${err.detail}` : '', err.hint ? `HINT: ${err.hint}` : '']
        .filter(Boolean)
        .join(' ');
      return new PostgresQueryError(
        `${err.message} (SQLSTATE ${err.code}${where.length ? `; ${where.join(', ')}` : ''})${extra ? ` ${extra}` : ''}`,
        err.code ?? '',
        position,
        err,
      );
    }
    // Not a statement error: the connection itself failed (socket error, or a FATAL from the server).
    conn.markBroken(err instanceof Error ? err : new Error(String(err)));
    return new EngineConnError(
      'EC_ENGINE_CRASHED',
      `Lost the PostgreSQL connection during statement ${index + 1} of ${total}: ${errMessage(err)}`,
      { cause: err },
    );
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
