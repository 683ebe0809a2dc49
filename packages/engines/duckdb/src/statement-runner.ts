import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBMaterializedResult,
  DuckDBPreparedStatement,
  DuckDBResult,
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
import type { KeptStatement } from './statement-cache.js';
import { type TableShape, tableShape } from './table-shape.js';
import type { ReadContext } from './values/cell-readers.js';
import { LineBytes } from './values/line-bytes.js';
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
 * Rows a kept SELECT's last run may have returned for the next run of it to be materialised: one
 * DuckDB vector. A materialised run is one call through libuv's pool (`execute_prepared`, then the
 * chunks are read synchronously) where a streamed one makes three (execute, a fetch for the rows,
 * a fetch to learn that the stream ended), and it costs DuckDB about half the CPU for a trivial
 * query. It also holds the whole result in DuckDB's memory, which streaming exists to avoid, so
 * only a statement known to answer small is run that way. A write drops every kept statement, so a
 * result can grow between two runs only by what DuckDB reads from outside (a file read again) or
 * computes (the clock, random()); one grown past the bound is read in full this once, yielding to
 * the event loop between chunks, and streamed after.
 */
export const MATERIALISE_MAX_ROWS = 2048;

/** A started statement: its result, and where its chunks come from. */
interface OpenedResult {
  readonly result: DuckDBResult;
  readonly nextChunk: () => Promise<DuckDBDataChunk | null>;
  /** The statement to keep once the run succeeded (null: a text DuckDB reads as several statements). */
  readonly prepared: DuckDBPreparedStatement | null;
  /** What the cache knew of it: a kept SELECT, whose result has the shape it had last time. */
  readonly kept: KeptStatement | undefined;
  readonly generation: number;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The chunks of a materialised result, read synchronously; past the first, a turn of the loop each. */
function materialisedChunks(result: DuckDBMaterializedResult): () => Promise<DuckDBDataChunk | null> {
  const count = result.chunkCount;
  let next = 0;
  return async () => {
    if (next >= count) return null;
    if (next > 0) await nextTurn();
    return result.getChunk(next++);
  };
}

/** Runs a kept statement materialised if it answered small last time and a pool thread is free. */
async function tryMaterialise(run: StatementRun, lastRows: number, prepared: DuckDBPreparedStatement) {
  if (lastRows > MATERIALISE_MAX_ROWS || !run.session.gate.tryEnter()) return null;
  try {
    return await prepared.run();
  } finally {
    run.session.gate.leave();
  }
}

/**
 * Starts the statement and resolves once its first rows can be read. A SELECT this connection ran
 * before is not prepared again (see StatementCache), and runs materialised when it answered small
 * (MATERIALISE_MAX_ROWS). Otherwise, while the threadpool gate has room it streams straight away;
 * past it, the statement is started pending and waited on by polling, so a long query does not pin
 * a libuv thread.
 */
async function openResult(run: StatementRun): Promise<OpenedResult> {
  const { gate, statements } = run.session;
  const generation = statements.generation;
  const kept = statements.take(run.connection, run.sql);
  const prepared = kept?.prepared ?? (await prepare(run));
  // A statement that may write makes every kept one stale (see StatementCache) from the moment it
  // runs: they go now, before it starts, and again once it ended (the executor).
  if (!kept && prepared?.statementType !== duckdb.StatementType.SELECT) run.session.forgetPrepared();
  try {
    const materialised = kept ? await tryMaterialise(run, kept.lastRows, kept.prepared) : null;
    if (materialised)
      return { result: materialised, nextChunk: materialisedChunks(materialised), prepared, kept, generation };
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
    return { result, nextChunk: () => fetchChunk(run, result), prepared, kept, generation };
  } catch (err) {
    prepared?.destroySync();
    throw err;
  }
}

/** A kept statement is a SELECT; of another, the result says (one call into the binding). */
function statementType(opened: OpenedResult): StatementType {
  return opened.kept ? duckdb.StatementType.SELECT : opened.result.statementType;
}

/**
 * After the statement: a prepared one that answered with a table is offered to the cache for the
 * next run (it keeps SELECTs only); after a failure, or a statement of another kind, it is destroyed.
 */
function settle(run: StatementRun, opened: OpenedResult, table: WrittenTable | null): void {
  const { prepared } = opened;
  if (!prepared) return;
  if (table === null) {
    prepared.destroySync();
    return;
  }
  run.session.statements.give(run.connection, run.sql, {
    prepared,
    lastRows: table.rows,
    shape: table.shape,
    statementType: statementType(opened),
    generation: opened.generation,
  });
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

/**
 * Streams a query's rows chunk by chunk, each encoded straight into its stored lines while DuckDB
 * computes the next one on a pool thread (a fetched chunk is the caller's until it is collected)
 * and the previous one is written. The two line buffers alternate: a buffer is encoded into again
 * only after the write that read it settled. No fetch is left running when this returns: the result
 * and its connection are used again right after.
 */
async function writeTable(run: StatementRun, opened: OpenedResult, context: ReadContext): Promise<WrittenTable> {
  const { kept } = opened;
  // A statement that may write started since this one was taken (the generation moved): if it
  // changed the catalog before this one ran, DuckDB rebound this one, and its columns may differ.
  const current = kept?.shape.zone === context.zone && opened.generation === run.session.statements.generation;
  const shape = current ? kept.shape : tableShape(opened.result, run.session.typeNames, context);
  const { encoder } = shape;
  // Each made when first needed: a small result has one chunk, so one buffer.
  const buffers: (LineBytes | undefined)[] = [];
  const writer = await run.task.createResultSet(shape.spec);
  let rows = 0;
  let writing: Promise<void> | undefined;
  let fetching = opened.nextChunk();
  try {
    for (let turn = 0; ; turn ^= 1) {
      const chunk = await fetching;
      const count = chunk ? chunk.rowCount : 0;
      if (!chunk || count === 0) break;
      fetching = opened.nextChunk();
      // Handled here so a failed fetch cannot crash the process while this chunk is written.
      fetching.catch(ignore);
      let lines = buffers[turn];
      if (!lines) {
        lines = new LineBytes();
        buffers[turn] = lines;
      }
      lines.reset();
      encoder.encode(chunk, count, lines);
      if (writing) await writing;
      if (run.interrupter.requested) break;
      writing = writer.writeRowLines(lines.view(), count);
      writing.catch(ignore);
      rows += count;
    }
    if (writing) await writing;
  } finally {
    await fetching.catch(ignore);
  }
  // An interrupted stream ends like a complete one; only the flag tells them apart.
  if (run.interrupter.requested) throw cancelledError(run.index, run.total);
  await writer.close();
  return { rows, shape };
}

async function writeText(task: TaskContext, text: string): Promise<void> {
  const writer: ResultSetWriter = await task.createResultSet({ type: 'TEXT' });
  await writer.write(text);
  await writer.close();
}

interface WrittenTable {
  readonly rows: number;
  readonly shape: TableShape;
}

interface Written {
  /** What the log says the statement did. */
  readonly summary: string;
  /** The TABLE result set written; null for a TEXT one. */
  readonly table: WrittenTable | null;
}

/** The statement's result set: a query's TABLE, DML's `N rows affected`, anything else's `OK`. */
async function writeResult(run: StatementRun, opened: OpenedResult, context: ReadContext): Promise<Written> {
  const { result } = opened;
  if (opened.kept || result.returnType === duckdb.ResultReturnType.QUERY_RESULT) {
    const table = await writeTable(run, opened, context);
    const { rows } = table;
    return { summary: `${rows} row${rows === 1 ? '' : 's'}`, table };
  }
  let summary = 'OK';
  if (result.returnType === duckdb.ResultReturnType.CHANGED_ROWS) {
    const rows = result.rowsChanged;
    summary = `${rows} row${rows === 1 ? '' : 's'} affected`;
  }
  await writeText(run.task, summary);
  return { summary, table: null };
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
    const opened = await openResult(run);
    let written: Written;
    try {
      if (run.interrupter.requested) throw cancelledError(index, total);
      written = await writeResult(run, opened, context);
    } catch (err) {
      settle(run, opened, null);
      throw err;
    }
    settle(run, opened, written.table);
    const { summary } = written;
    task.log(`${name} done in ${Math.round(performance.now() - started)} ms: ${summary}`);
    return { statementType: statementType(opened) };
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
