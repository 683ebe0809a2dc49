// Measures the duckdb executor against calling DuckDB directly, in the same process and run.
// Build first (npx tsc -b packages/engines/duckdb), then: node packages/engines/duckdb/bench/executor-bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TaskResults } from '@engineconn/core';
import { cellReader, duckdbEngine, rowsOfChunk, ZoneClock } from '../dist/index.js';
import { bareTask, openExecutor } from './bench-engine.mjs';

const SELECT1_RUNS = Number(process.env.SELECT1_RUNS ?? 3000);
const ROWS = 1_000_000;
const scratch = mkdtempSync(join(tmpdir(), 'ec-duckdb-bench-'));

function stats(samplesUs) {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

async function timeEach(runs, fn) {
  for (let i = 0; i < Math.min(300, runs); i++) await fn(i);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push((performance.now() - t0) * 1000);
  }
  return stats(samples);
}

/** A task whose result sets only count rows. */
function nullWriterTask(code) {
  let rows = 0;
  const context = bareTask(code, scratch, (count) => {
    rows += count;
  });
  return { context, rows: () => rows };
}

let diskTasks = 0;
function diskTask(code) {
  const { context } = nullWriterTask(code);
  const results = new TaskResults({ dir: join(scratch, `task-${diskTasks++}`) });
  context.createResultSet = (spec) => results.create(spec);
  return { context, results };
}

const direct = await DuckDBInstance.create(':memory:');
const connection = await direct.connect();
const { session, executor } = await openExecutor({ dataDir: scratch, concurrency: 8 });

const report = {};
report['select 1: direct connection.run'] = await timeEach(SELECT1_RUNS, () => connection.run('select 1'));
report['select 1: direct stream + fetchChunk to the end'] = await timeEach(SELECT1_RUNS, async () => {
  const result = await connection.stream('select 1');
  while ((await result.fetchChunk())?.rowCount) {}
});
report['select 1: direct new connection + settings + stream'] = await timeEach(
  Math.min(SELECT1_RUNS, 1000),
  async () => {
    const fresh = await direct.connect();
    await fresh.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
    const result = await fresh.stream('select 1');
    await result.fetchChunk();
    fresh.disconnectSync();
  },
);
report['select 1: executor, null writer'] = await timeEach(SELECT1_RUNS, () =>
  executor.execute(nullWriterTask('select 1').context),
);
report['select 1: executor, result files on disk'] = await timeEach(Math.min(SELECT1_RUNS, 1000), async () => {
  await executor.execute(diskTask('select 1').context);
});

async function once(label, fn) {
  await fn();
  const t0 = performance.now();
  const detail = await fn();
  report[label] = { ms: Math.round(performance.now() - t0), ...(detail ?? {}) };
}
const big = `select * from range(${ROWS})`;
await once('1M rows: direct stream + fetchChunk (no conversion)', async () => {
  const result = await connection.stream(big);
  let rows = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk())
    rows += chunk.rowCount;
  return { rows };
});
await once('1M rows: direct stream + fetchChunk + JSON conversion', async () => {
  const result = await connection.stream(big);
  const readers = result.columnTypes().map((type) => cellReader(type, { zone: ZoneClock.of('UTC') }));
  let rows = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    rows += rowsOfChunk(chunk, readers).length;
  }
  return { rows };
});
await once('1M rows: executor, null writer', async () => {
  const task = nullWriterTask(big);
  await executor.execute(task.context);
  return { rows: task.rows() };
});
await once('1M rows: executor, result file on disk', async () => {
  const { context, results } = diskTask(big);
  await executor.execute(context);
  return { rows: results.list()[0]?.rowCount };
});

await duckdbEngine.closeSession(session);
connection.disconnectSync();
direct.closeSync();
rmSync(scratch, { recursive: true, force: true });
for (const [label, value] of Object.entries(report)) {
  const shown =
    'median' in value
      ? `median ${value.median.toFixed(0)} us, p95 ${value.p95.toFixed(0)} us`
      : `${value.ms} ms (${value.rows} rows)`;
  console.log(`${label.padEnd(56)} ${shown}`);
}
