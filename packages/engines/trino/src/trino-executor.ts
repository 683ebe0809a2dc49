import {
  BadRequestError,
  type CodeExecutor,
  EngineError,
  type ProgressInfo,
  prepareStatements,
  previewSql,
  type ResultSetWriter,
  TaskCancelledError,
  type TaskContext,
} from '@engineconn/core';
import { type QueryResult, Trino } from 'trino-client';
import { TrinoQuery } from './trino-pages.js';
import type { TrinoSession } from './trino-session.js';

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

/** Fields real Trino sends that trino-client 0.2.9's types leave out. */
type Page = QueryResult & {
  updateType?: string;
  updateCount?: number;
  error?: QueryResult['error'] & { errorLocation?: { lineNumber?: number; columnNumber?: number } };
};

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

/**
 * Runs a task's statements one after another on the coordinator, following each query's pages: rows
 * stream into a TABLE, updates (`updateType`) become TEXT, `stats` drive progress, and `error` is checked
 * on every page. A kill DELETEs the query and waits until the coordinator reports it stopped.
 */
export class TrinoExecutor implements CodeExecutor {
  readonly #session: TrinoSession;

  constructor(session: TrinoSession) {
    this.#session = session;
  }

  async execute(task: TaskContext): Promise<void> {
    const statements = prepareStatements(task);
    if (statements.length === 0) return;
    const { settings } = this.#session;
    const catalog = optionalString(task.properties.catalog, 'catalog') ?? settings.catalog;
    const schema = optionalString(task.properties.schema, 'schema') ?? settings.schema;
    // One client per task: the Set-Catalog/Set-Schema/Set-Session answers it tracks stay in this task.
    const trino = Trino.create({
      server: settings.server,
      source: settings.source,
      ...(catalog ? { catalog } : {}),
      ...(schema ? { schema } : {}),
      session: stringMap(task.properties.session, 'session'),
      extraHeaders: { 'X-Trino-User': settings.user },
    });
    for (const [index, statement] of statements.entries()) {
      if (task.signal.aborted)
        throw new TaskCancelledError(`stopped before statement ${index + 1} of ${statements.length}.`);
      task.statementStarted(index);
      task.log(`[${index + 1}/${statements.length}] ${previewSql(statement.text)}`);
      await this.#runStatement(trino, statement, task, index, statements.length);
      task.progress((index + 1) / statements.length);
    }
  }

  async #runStatement(
    trino: Trino,
    statement: { text: string; start: number },
    task: TaskContext,
    index: number,
    total: number,
  ): Promise<void> {
    const started = performance.now();
    const query = await TrinoQuery.submit(trino, { query: statement.text });
    let page = query.first as Page;
    const queryId = page.id;
    task.log(`Trino query ${queryId}${page.infoUri ? ` (${page.infoUri})` : ''}`);
    // Stops an in-flight long poll at once on kill.
    const polling = new AbortController();
    const onAbort = () => polling.abort();
    task.signal.addEventListener('abort', onAbort, { once: true });
    let writer: ResultSetWriter | undefined;
    let updateType: string | undefined;
    let updateCount: number | undefined;
    let rows = 0;
    try {
      for (;;) {
        if (page.error) throw queryError(page, task.code, statement.start, `statement ${index + 1} of ${total}`);
        this.#progress(page, task, index, total);
        updateType ??= page.updateType;
        if (page.updateCount !== undefined) updateCount = page.updateCount;
        if (page.columns && !writer && !updateType) {
          writer = await task.createResultSet({
            type: 'TABLE',
            columns: page.columns.map((c) => ({ name: c.name, type: c.type })),
          });
        }
        if (page.data?.length && writer) {
          await writer.writeRows(page.data);
          rows += page.data.length;
        }
        if (!page.nextUri) break;
        if (task.signal.aborted) break;
        try {
          page = (await query.next(page.nextUri, polling.signal)) as Page;
        } catch (err) {
          if (!task.signal.aborted) throw err;
        }
      }
      if (task.signal.aborted) {
        await this.#cancel(trino, queryId, task);
        throw new TaskCancelledError(`Trino query ${queryId} (statement ${index + 1} of ${total}) was cancelled.`);
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

  /** DELETE /v1/query/{id}, then wait (up to killGraceMs) for the coordinator to show it stopped. */
  async #cancel(trino: Trino, queryId: string, task: TaskContext): Promise<void> {
    const started = performance.now();
    task.log(`Kill: cancelling Trino query ${queryId} (DELETE /v1/query/${queryId}).`);
    try {
      await trino.cancel(queryId);
    } catch (err) {
      task.log(`Kill: the DELETE failed (${err instanceof Error ? err.message : String(err)}).`);
      return;
    }
    const deadline = started + task.killGraceMs;
    for (;;) {
      let state: string | undefined;
      try {
        state = (await trino.queryInfo(queryId)).state;
      } catch {
        task.log('Kill: the coordinator accepted the DELETE; its query state could not be read to confirm.');
        return;
      }
      if (state === 'FAILED' || state === 'FINISHED') {
        task.log(`Kill: query ${queryId} is ${state} after ${(performance.now() - started).toFixed(1)} ms.`);
        return;
      }
      if (performance.now() > deadline) {
        task.log(`Kill: query ${queryId} still ${state} ${task.killGraceMs} ms after the DELETE.`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  #progress(page: Page, task: TaskContext, index: number, total: number): void {
    const stats = page.stats;
    if (!stats || !(stats.totalSplits > 0)) return;
    const fraction = Math.min(1, stats.completedSplits / stats.totalSplits);
    const info: ProgressInfo = {
      id: page.id,
      totalTasks: stats.totalSplits,
      runningTasks: stats.runningSplits ?? 0,
      failedTasks: stats.state === 'FAILED' ? stats.totalSplits - stats.completedSplits : 0,
      succeedTasks: stats.completedSplits,
    };
    task.progress((index + fraction) / total, [info]);
  }
}

/** Trino's error, located in the task's code (Trino counts lines and columns within the statement). */
function queryError(page: Page, code: string, statementStart: number, which: string): TrinoQueryError {
  const error = page.error!;
  const where = [which];
  const location = error.errorLocation;
  if (location?.lineNumber !== undefined && location.columnNumber !== undefined) {
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
