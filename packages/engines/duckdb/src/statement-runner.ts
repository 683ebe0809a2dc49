import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBPreparedStatement,
  DuckDBResult,
  DuckDBType,
  StatementType,
} from '@duckdb/node-api';
import {
  EngineConnError,
  EngineError,
  type ProgressInfo,
  previewSql,
  type ResultSetWriter,
  type TaskContext,
} from '@engineconn/core';
import { duckdb } from './duckdb-api.js';
import type { DuckDBSession } from './duckdb-session.js';
import type { Interrupter } from './interrupter.js';
import { awaitPendingResult } from './pending-result.js';
import { cellReader, type ReadContext, rowsOfChunk } from './values/cell-readers.js';
import { ZoneClock } from './values/zone-clock.js';

export interface StatementRun {
  readonly task: TaskContext;
  readonly session: DuckDBSession;
  readonly connection: DuckDBConnection;
  readonly interrupter: Interrupter;
  readonly sql: string;
  /** 0-based. */
  readonly index: number;
  readonly total: number;
}

export interface StatementOutcome {
  readonly statementType: StatementType;
}

function label(index: number, total: number): string {
  return `statement ${index + 1}/${total}`;
}

function cancelledError(index: number, total: number): EngineConnError {
  return new EngineConnError('EC_TASK_CANCELLED', `The task was cancelled during ${label(index, total)}.`);
}

export function statementsInfo(total: number, succeeded: number, running: number): ProgressInfo[] {
  return [{ id: 'statements', totalTasks: total, runningTasks: running, failedTasks: 0, succeedTasks: succeeded }];
}

// The wrappers the binding puts around DuckDB's own message add nothing for a SQL user.
const MESSAGE_WRAPPERS = [
  /^Failed to extract statements: /,
  /^Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result\s*Error: /,
];

function duckdbMessage(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  for (const wrapper of MESSAGE_WRAPPERS) message = message.replace(wrapper, '');
  return message;
}

/** DuckDB's answer to preparing a text that holds more than one statement. */
const SEVERAL_STATEMENTS = /Cannot prepare multiple statements at once/;

/**
 * Prepares the statement: one call to DuckDB instead of the two (extract, then prepare) that
 * `connection.stream(sql)` makes, since the script is split into statements already. Each call is a
 * round trip through libuv's pool, which on a busy machine costs more than a trivial query itself.
 * A text DuckDB still reads as several statements gets null: it takes the extracting path.
 */
async function prepare(run: StatementRun): Promise<DuckDBPreparedStatement | null> {
  try {
    return await run.connection.prepare(run.sql);
  } catch (err) {
    if (SEVERAL_STATEMENTS.test(duckdbMessage(err))) return null;
    throw err;
  }
}

/**
 * Starts the statement and resolves once its first rows can be fetched. While the threadpool gate
 * has room it streams straight away, the fastest path; past it, the statement is started pending
 * and waited on by polling, so a long query does not pin a libuv thread. A SELECT this connection
 * ran before is not prepared again (see StatementCache).
 */
async function openResult(run: StatementRun): Promise<DuckDBResult> {
  const { gate, statements } = run.session;
  const generation = statements.generation;
  const kept = statements.take(run.connection, run.sql);
  const prepared = kept ?? (await prepare(run));
  // A statement that may write makes every kept one stale (see StatementCache) from the moment it
  // runs: they go now, before it starts, and again once it ended (the executor).
  if (!kept && prepared?.statementType !== duckdb.StatementType.SELECT) run.session.forgetPrepared();
  let started = false;
  try {
    let result: DuckDBResult;
    if (gate.tryEnter()) {
      try {
        result = await (prepared ? prepared.stream() : run.connection.stream(run.sql));
      } finally {
        gate.leave();
      }
    } else {
      result = await awaitPendingResult(prepared ? prepared.startStream() : await run.connection.startStream(run.sql));
    }
    started = true;
    return result;
  } finally {
    if (prepared && started) statements.give(run.connection, run.sql, prepared, generation);
    else prepared?.destroySync();
  }
}

async function fetchChunk(run: StatementRun, result: DuckDBResult): Promise<DuckDBDataChunk | null> {
  run.session.gate.enter();
  try {
    return await result.fetchChunk();
  } finally {
    run.session.gate.leave();
  }
}

function ignore(): void {}

const UTC = ZoneClock.of('UTC') as ZoneClock;

/** The connection's time zone, read before the statement opens its stream (a query would close it). */
async function readContext(run: StatementRun): Promise<ReadContext> {
  const zone = await run.session.zone(run.connection);
  if (zone) return { zone };
  run.task.log('The session time zone is unknown to this process: TIMESTAMP WITH TIME ZONE values are in UTC.');
  return { zone: UTC };
}

/** Streams a query's rows chunk by chunk: one chunk converted while the previous one is written. */
async function writeTable(run: StatementRun, result: DuckDBResult, context: ReadContext): Promise<number> {
  const types = result.columnTypes();
  const names = run.session.typeNames;
  const columns = result.columnNames().map((name, i) => ({ name, type: names.name(types[i] as DuckDBType) }));
  const readers = types.map((type) => cellReader(type, context));
  const writer = await run.task.createResultSet({ type: 'TABLE', columns });
  let rows = 0;
  let writing: Promise<void> | undefined;
  for (;;) {
    const chunk = await fetchChunk(run, result);
    if (!chunk || chunk.rowCount === 0) break;
    const batch = rowsOfChunk(chunk, readers);
    if (writing) await writing;
    if (run.interrupter.requested) break;
    writing = writer.writeRows(batch);
    // Marked handled so a failed write cannot crash the process while the next fetch is awaited.
    writing.catch(ignore);
    rows += batch.length;
  }
  if (writing) await writing;
  // An interrupted stream ends like a complete one; only the flag tells them apart.
  if (run.interrupter.requested) throw cancelledError(run.index, run.total);
  await writer.close();
  return rows;
}

async function writeText(task: TaskContext, text: string): Promise<void> {
  const writer: ResultSetWriter = await task.createResultSet({ type: 'TEXT' });
  await writer.write(text);
  await writer.close();
}

function watchProgress(run: StatementRun): () => void {
  const { task, connection, index, total } = run;
  let last = -1;
  const timer = setInterval(() => {
    const percentage = connection.progress.percentage;
    if (!(percentage >= 0)) return;
    const overall = (index + Math.min(percentage, 100) / 100) / total;
    if (overall <= last) return;
    last = overall;
    task.progress(overall, statementsInfo(total, index, 1));
  }, run.session.options.progressIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Runs one statement: a query becomes a TABLE result set streamed chunk by chunk, DML a TEXT set
 * `N rows affected`, anything else a TEXT set `OK`, so result set i always belongs to statement i.
 */
export async function runStatement(run: StatementRun): Promise<StatementOutcome> {
  const { task, index, total } = run;
  const name = label(index, total);
  task.statementStarted(index);
  task.progress(index / total, statementsInfo(total, index, 1));
  task.log(`${name}: ${previewSql(run.sql, 200)}`);
  const started = performance.now();
  const stopProgress = watchProgress(run);
  try {
    const context = await readContext(run);
    const result = await openResult(run);
    if (run.interrupter.requested) throw cancelledError(index, total);
    let summary: string;
    if (result.returnType === duckdb.ResultReturnType.QUERY_RESULT) {
      const rows = await writeTable(run, result, context);
      summary = `${rows} row${rows === 1 ? '' : 's'}`;
    } else if (result.returnType === duckdb.ResultReturnType.CHANGED_ROWS) {
      const rows = result.rowsChanged;
      summary = `${rows} row${rows === 1 ? '' : 's'} affected`;
      await writeText(task, summary);
    } else {
      summary = 'OK';
      await writeText(task, summary);
    }
    task.log(`${name} done in ${Math.round(performance.now() - started)} ms: ${summary}`);
    return { statementType: result.statementType };
  } catch (err) {
    const ms = Math.round(performance.now() - started);
    if (run.interrupter.requested) {
      task.log(`${name} cancelled after ${ms} ms`);
      throw cancelledError(index, total);
    }
    if (err instanceof EngineConnError) throw err;
    const message = duckdbMessage(err);
    task.log(`${name} failed after ${ms} ms: ${message}`);
    throw new EngineError(`Statement ${index + 1}/${total} failed: ${message}`, { cause: err });
  } finally {
    stopProgress();
  }
}
