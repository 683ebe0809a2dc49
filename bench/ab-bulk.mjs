// A/B of the bulk path: a 1M-row DuckDB result run and fetched in pages of 10,000 (the overhead
// scenario's flow), on EngineConns of different bins started side by side, alternating with the
// same rows read from @duckdb/node-api directly, in the same minutes. Per variant and round: the
// run, the fetch, the caller's share of the fetch (toString + JSON.parse), and the EngineConn's CPU
// during the fetch.
//
//   node bench/ab-bulk.mjs [--rows 1000000] [--rounds 3] [--flow follow|prefetch|serial] NAME=[BIN][@FLOW] …
//   e.g. node bench/ab-bulk.mjs base=../base/packages/server/bin/engineconn.cjs@serial new=
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { AUTH, followEvents, submit } from './lib/client.mjs';
import { openDirectDuckDB } from './lib/duckdb-direct.mjs';
import { startEngineConn } from './lib/engineconn.mjs';
import { median, round } from './lib/stats.mjs';
import { threadCpu } from './lib/threads.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    page: { type: 'string', default: '10000' },
    flow: { type: 'string', default: 'follow' },
  },
});
const ROWS = Number(values.rows);
const PAGE = Number(values.page);
const SQL = `select i, i * 2 as twice, 'row ' || i as label from range(${ROWS}) t(i)`;
const variants = positionals.map((spec) => {
  const [name, rest = ''] = spec.split(/=(.*)/s);
  const [bin, flow = values.flow] = rest.split('@');
  return { name, bin: bin || undefined, flow };
});

/** One GET whose body is collected as bytes; the caller's decode is timed apart. */
function getBytes(base, path) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: AUTH, agent: getBytes.agent });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => resolve(Buffer.concat(chunks)));
    });
    req.end();
  });
}
getBytes.agent = new (await import('node:http')).Agent({ keepAlive: true });

const pagePath = (id, offset, flow) =>
  `/api/v1/tasks/${id}/results/0?offset=${offset}&limit=${PAGE}${flow === 'follow' ? '&wait=30s' : ''}`;

/**
 * `follow` (the overhead scenario, the SDK's resultPages with `wait`): from the submit on, each page
 * waiting on the EngineConn for its rows, and (after a full page) the next page asked for before
 * this one arrives.
 * `prefetch`: the same once the task ended. `serial`: after the end, each page asked for once the
 * previous one is decoded.
 */
async function fetchPages(base, id, flow) {
  let rows = 0;
  let decodeMs = 0;
  let full = false;
  let pending = getBytes(base, pagePath(id, 0, flow));
  for (let offset = 0; ; ) {
    const ahead = flow !== 'serial' && full ? getBytes(base, pagePath(id, offset + PAGE, flow)) : null;
    const bytes = await pending;
    const t0 = performance.now();
    const page = JSON.parse(bytes.toString('utf8'));
    decodeMs += performance.now() - t0;
    rows += page.rows.length;
    if (page.next === null) {
      await ahead;
      return { rows, decodeMs };
    }
    const next = page.next;
    full = next === offset + PAGE;
    pending = full && ahead ? ahead : Promise.resolve(ahead).then(() => getBytes(base, pagePath(id, next, flow)));
    offset = next;
  }
}

async function direct(connection) {
  const result = await connection.stream(SQL);
  let rows = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    rows += chunk.getRows().length;
  }
  return rows;
}

const instance = await openDirectDuckDB();
const connection = await instance.connect();
const ecs = [];
for (const v of variants) ecs.push(await startEngineConn(['--engine', 'duckdb'], v.bin ? { bin: v.bin } : {}));
const results = Object.fromEntries([...variants.map((v) => v.name), 'direct'].map((n) => [n, []]));
try {
  for (const ec of ecs) {
    const { id } = await submit(ec.url, 'select 1');
    await followEvents(ec.url, id);
  }
  await direct(connection);
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const [i, v] of variants.entries()) {
      const ec = ecs[i];
      const t0 = performance.now();
      const cpuAtSubmit = threadCpu(ec.pid);
      const { id } = await submit(ec.url, SQL);
      const ended = followEvents(ec.url, id).then((done) => ({ done, at: performance.now() }));
      const follow = v.flow === 'follow';
      if (!follow) await ended;
      const cpu0 = follow ? cpuAtSubmit : threadCpu(ec.pid);
      const { rows, decodeMs } = await fetchPages(ec.url, id, v.flow);
      const t2 = performance.now();
      const cpu = threadCpu(ec.pid).since(cpu0);
      const { done, at: t1 } = await ended;
      if (done.status !== 'Succeed') throw new Error(`task ended ${done.status}`);
      if (rows !== ROWS) throw new Error(`${v.name}: ${rows} rows`);
      results[v.name].push({
        totalMs: round(t2 - t0, 0),
        runMs: round(t1 - t0, 0),
        // With follow: the part of the walk after the task's end.
        fetchMs: round(Math.max(0, t2 - t1), 0),
        decodeMs: round(decodeMs, 0),
        ecFetchCpuMs: round(cpu.total, 0),
        ecFetchMainMs: round(cpu.main, 0),
        load: round(loadavg()[0], 1),
      });
      const d0 = performance.now();
      await direct(connection);
      results.direct.push({ totalMs: round(performance.now() - d0, 0), load: round(loadavg()[0], 1) });
    }
    console.log(
      `round ${r + 1}:`,
      JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, l]) => [k, l.at(-1)]))),
    );
  }
} finally {
  for (const ec of ecs) await ec.stop();
  connection.disconnectSync();
  instance.closeSync();
}
const directMedian = median(results.direct.map((x) => x.totalMs));
console.log(`direct: median ${round(directMedian, 0)} ms`);
for (const v of variants) {
  const list = results[v.name];
  const m = (key) => round(median(list.map((x) => x[key])), 0);
  console.log(
    `${v.name} (${v.flow}): total ${m('totalMs')} ms (${round(m('totalMs') / directMedian)}x direct) = run ${m('runMs')} + fetch after it ${m('fetchMs')} (caller decode ${m('decodeMs')}; EC CPU ${v.flow === 'follow' ? 'run + fetch' : 'fetch'} ${m('ecFetchCpuMs')}, main ${m('ecFetchMainMs')})`,
  );
}
