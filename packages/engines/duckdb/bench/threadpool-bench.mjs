// Eight long DuckDB statements at once: how long does a file write of another task wait meanwhile?
// `duckdb.threadpoolSlots` = 8 puts every statement on the libuv pool (connection.stream()); the
// default leaves two threads of the pool free and polls the rest.
// Build first, then: node packages/engines/duckdb/bench/threadpool-bench.mjs
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdbEngine } from '../dist/index.js';
import { bareTask, openExecutor } from './bench-engine.mjs';

const TASKS = 8;
const SQL = 'select count(*) from range(100000000) t(x) where x % 7 = 1';
const probeFile = join(tmpdir(), `ec-duckdb-probe-${process.pid}`);

async function run(slots) {
  const { session, executor } = await openExecutor({
    dataDir: tmpdir(),
    concurrency: TASKS,
    overrides: slots === undefined ? {} : { 'duckdb.threadpoolSlots': String(slots) },
  });
  const started = performance.now();
  const tasks = Array.from({ length: TASKS }, () => executor.execute(bareTask(SQL, tmpdir())));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const t0 = performance.now();
  await writeFile(probeFile, 'probe');
  const writeMs = performance.now() - t0;
  await Promise.all(tasks);
  const totalMs = performance.now() - started;
  await duckdbEngine.closeSession(session);
  return { slots: session.options.threadpoolSlots, writeMs: Math.round(writeMs), totalMs: Math.round(totalMs) };
}

console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '(default 4)'}, ${TASKS} concurrent: ${SQL}`);
for (const slots of [undefined, TASKS]) {
  const r = await run(slots);
  console.log(
    `threadpoolSlots=${r.slots}: a file write waited ${r.writeMs} ms; all ${TASKS} statements took ${r.totalMs} ms`,
  );
}
