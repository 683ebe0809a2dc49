import {
  BadRequestError,
  EngineError,
  type ProgressInfo,
  type ResultSetWriter,
  type SqlStatement,
  StatementExecutor,
  TaskCancelledError,
  type TaskContext,
} from '@engineconn/core';
import type { ClientSession } from './protocol/client-session.js';
import { TrinoHttpError } from './protocol/trino-http.js';
import { MalformedPageError, type TrinoPage } from './protocol/trino-page.js';
import { confirmCancel } from './trino-cancel.js';
import type { TrinoSession } from './trino-session.js';
import { rowConverter } from './trino-values.js';

/** A failed Trino query, with Trino's own error name and type. */
export class TrinoQueryError extends EngineError {
  readonly errorName: string;
  readonly errorType: string;
  readonly queryId: string;

  constructor(message: string, errorName: string, errorType: string, queryId: string) {
    super(message);
    this.name = 'TrinoQueryError';
    this.errorName = errorName;
    this.errorType = errorType;
    this.queryId = queryId;
  }
}

function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestError(`Task property '${name}' must be an object of names to values.`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`Task property '${name}' must be a string.`);
  return value;
}

/** What a task may set of its client session: `catalog`, `schema` and `session` properties. */
type SessionOverrides = Parameters<TrinoSession['clientSession']>[0];

/**
 * Runs a task's statements one after another on the coordinator, following each query's pages: rows
 * stream into a TABLE, updates (`updateType`) become TEXT, `stats` drive progress, and `error` is checked
 * on every page. Nothing is held between pages but the HTTP request in flight, so one EngineConn can
 * follow thousands of queries. A kill DELETEs the query and waits until the coordinator reports it
 * ended with USER_CANCELED.
 */
export class TrinoExecutor extends StatementExecutor<TrinoSession, SessionOverrides> {
  protected override readProperties(task: TaskContext): SessionOverrides {
    const catalog = optionalString(task.properties.catalog, 'catalog');
    const schema = optionalString(task.properties.schema, 'schema');
    return {
      ...(catalog ? { catalog } : {}),
      ...(schema ? { schema } : {}),
      properties: stringMap(task.properties.session, 'session'),
    };
  }

  protected override async runStatements(
    task: TaskContext,
    statements: SqlStatement[],
    overrides: SessionOverrides,
  ): Promise<void> {
    // One client session per task: the Set-Catalog/Set-Session/Added-Prepare answers stay in this task.
    const session = this.session.clientSession(overrides);
    for (const [index, statement] of statements.entries()) {
      this.startStatement(task, statement, index, statements.length);
      const which = `statement ${index + 1} of ${statements.length}`;
      await this.#runStatement(session, statement, task, which, (fraction, info) =>
        task.progress((index + fraction) / statements.length, info),
      );
      task.progress((index + 1) / statements.length);
    }
  }

  async #runStatement(
    session: ClientSession,
    statement: SqlStatement,
    task: TaskContext,
    which: string,
    progress: (fraction: number, info: ProgressInfo[]) => void,
  ): Promise<void> {
    const started = performance.now();
    const { client } = this.session;
    // Not given the task's signal: a POST cut short could leave a query running whose id we never
    // learnt. The answer comes at once (the query is only queued by then), and carries the id.
    const query = await client.submit(statement.text, session).catch((err: unknown) => {
      throw this.#transportError(err, `submitting ${which}`);
    });
    task.log(`Trino query ${query.id}${query.infoUri ? ` (${query.infoUri})` : ''}`);
    // Stops an in-flight long poll at once on kill.
    const polling = new AbortController();
    const onAbort = () => polling.abort();
    task.signal.addEventListener('abort', onAbort, { once: true });
    let writer: ResultSetWriter | undefined;
    let convert: ((row: readonly unknown[]) => unknown[]) | undefined;
    let updateType: string | undefined;
    let updateCount: number | undefined;
    let rows = 0;
    let shown = 0;
    try {
      for (let page: TrinoPage = query.page; ; ) {
        if (page.error) throw queryError(page, task.code, statement.start, which);
        shown = this.#progress(page, shown, progress);
        updateType ??= page.updateType;
        if (page.updateCount !== undefined) updateCount = page.updateCount;
        if (page.columns && !writer && !updateType) {
          writer = await task.createResultSet({
            type: 'TABLE',
            columns: page.columns.map((c) => ({ name: c.name, type: c.type })),
          });
          convert = rowConverter(page.columns);
        }
        if (page.data?.length && writer && convert) {
          await writer.writeRows(page.data.map(convert));
          rows += page.data.length;
        }
        if (query.done || task.signal.aborted) break;
        try {
          page = await query.next(polling.signal);
        } catch (err) {
          if (task.signal.aborted) break;
          throw this.#transportError(err, `${which}, query ${query.id}`);
        }
      }
      if (task.signal.aborted) {
        await confirmCancel(client, query, session, task);
        throw new TaskCancelledError(`Trino query ${query.id} (${which}) was cancelled.`);
      }
    } finally {
      task.signal.removeEventListener('abort', onAbort);
      await writer?.close();
    }
    if (!writer) {
      const text = await task.createResultSet({ type: 'TEXT' });
      await text.write(updateType ? `${updateType}${updateCount !== undefined ? `: ${updateCount} rows` : ''}` : 'OK');
      await text.close();
    }
    const ms = Math.round(performance.now() - started);
    task.log(`${updateType ?? `${rows} rows`}${updateCount !== undefined ? `: ${updateCount} rows` : ''} in ${ms} ms`);
  }

  /** A lost or misbehaving coordinator, said in words that point at it. */
  #transportError(err: unknown, where: string): unknown {
    const server = this.session.settings.server;
    if (err instanceof TrinoHttpError) {
      return new EngineError(`Trino coordinator ${server} failed during ${where}: ${err.message}.`, { cause: err });
    }
    if (err instanceof MalformedPageError) {
      return new EngineError(`Trino coordinator ${server} during ${where}: ${err.message}.`, { cause: err });
    }
    return err;
  }

  /** Progress within the statement from `stats` (never going back); returns what was shown. */
  #progress(page: TrinoPage, shown: number, progress: (fraction: number, info: ProgressInfo[]) => void): number {
    const stats = page.stats;
    if (!stats) return shown;
    const total = stats.totalSplits ?? 0;
    const completed = stats.completedSplits ?? 0;
    const fraction =
      stats.state === 'FINISHED'
        ? 1
        : stats.progressPercentage !== undefined
          ? stats.progressPercentage / 100
          : total > 0
            ? completed / total
            : undefined;
    if (fraction === undefined || total === 0) return shown;
    const value = Math.max(shown, Math.min(1, fraction));
    progress(value, [
      {
        id: page.id,
        totalTasks: total,
        runningTasks: stats.runningSplits ?? 0,
        failedTasks: stats.state === 'FAILED' ? total - completed : 0,
        succeedTasks: completed,
      },
    ]);
    return value;
  }
}

/** Trino's error, located in the task's code (Trino counts lines and columns within the statement). */
function queryError(page: TrinoPage, code: string, statementStart: number, which: string): TrinoQueryError {
  const error = page.error!;
  const where = [which];
  const location = error.errorLocation;
  if (location) {
    const before = code.slice(0, statementStart);
    const startLine = before.split('\n').length;
    const startColumn = statementStart - before.lastIndexOf('\n');
    const line = startLine + location.lineNumber - 1;
    const column = location.lineNumber === 1 ? startColumn + location.columnNumber - 1 : location.columnNumber;
    where.push(`line ${line}, column ${column}`);
  }
  const name = error.errorName ?? 'UNKNOWN';
  const type = error.errorType ?? 'UNKNOWN';
  return new TrinoQueryError(
    `${error.message} (${name}, ${type}; ${where.join(', ')}; query ${page.id})`,
    name,
    type,
    page.id,
  );
}
