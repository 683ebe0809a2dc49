// A seconds-long analytic DuckDB query, and a 1M-row result fetched in pages and as CSV: through the
// EngineConn (HTTP, task storage) against the same work on @duckdb/node-api directly, same run.

import { api, followEvents, stream, submit } from '../lib/client.mjs';
import { openDirectDuckDB } from '../lib/duckdb-direct.mjs';
import { startEngineConn } from '../lib/engineconn.mjs';
import { median, mib, round } from '../lib/stats.mjs';

const analytic = (rows) =>
  `select i % 1000 as k, count(*) as n, sum(hash(i) % 100003) as s, avg(i % 7919) as a from range(${rows}) t(i) group by k order by k`;
const WIDE = (rows) => `select i, i * 2 as twice, 'row ' || i as label from range(${rows}) t(i)`;
const PAGE = 10_000;

async function runTask(base, sql) {
  const { id } = await submit(base, sql);
  const done = await followEvents(base, id);
  if (done.status !== 'Succeed') throw new Error(`task ${id} ended ${done.status}: ${JSON.stringify(done.error)}`);
  return id;
}

// `wait`: each page waits on the EngineConn for its rows, so the pages follow the set while the task
// writes it, as the direct side's fetchChunk loop follows DuckDB's cursor.
const pagePath = (id, offset) => `/api/v1/tasks/${id}/results/0?offset=${offset}&limit=${PAGE}&wait=30s`;

/**
 * Every page as JS values, the way the SDK's `resultPages(id, 0, {wait})` reads them: from the
 * submit on, while the task runs, and once a page came back full, the next one (a full page ends
 * where the next starts) asked for before this one is parsed, so the EngineConn serves it while
 * this side decodes. A wrong guess (the request past the last page) is awaited and dropped.
 */
async function fetchPages(base, id) {
  let rows = 0;
  let full = false;
  let pending = api(base, 'GET', pagePath(id, 0));
  for (let offset = 0; ; ) {
    const ahead = full ? api(base, 'GET', pagePath(id, offset + PAGE)) : null;
    const page = await pending;
    rows += page.rows.length;
    if (page.next === null) {
      await ahead;
      return rows;
    }
    const next = page.next;
    full = next === offset + PAGE;
    pending = full && ahead ? ahead : Promise.resolve(ahead).then(() => api(base, 'GET', pagePath(id, next)));
    offset = next;
  }
}

/**
 * Submits and reads every page as the task writes them; resolves with the row count and how long
 * the walk went on past the task's end (the part of the fetch the run did not hide).
 */
async function runAndFetchPages(base, sql) {
  const { id } = await submit(base, sql);
  const ended = followEvents(base, id).then((done) => ({ done, at: performance.now() }));
  const rows = await fetchPages(base, id);
  const lastPage = performance.now();
  const { done, at } = await ended;
  if (done.status !== 'Succeed') throw new Error(`task ${id} ended ${done.status}: ${JSON.stringify(done.error)}`);
  return { rows, afterEndMs: Math.max(0, lastPage - at) };
}

async function fetchCsv(base, id) {
  const res = await stream(base, `/api/v1/tasks/${id}/results/0?format=csv`);
  if (res.statusCode !== 200) throw new Error(`csv: ${res.statusCode}`);
  let newlines = 0;
  for await (const chunk of res) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) newlines++;
  }
  return newlines - 1; // the header
}

const csvField = (v) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Direct: stream the rows chunk by chunk into JS values (what a caller of DuckDB gets). */
async function directRows(connection, sql, toCsv) {
  const result = await connection.stream(sql);
  let rows = 0;
  let bytes = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const values = chunk.getRows();
    rows += values.length;
    if (toCsv) {
      let text = '';
      for (const row of values)
        text += `${row.map((v) => csvField(typeof v === 'bigint' ? v.toString() : v)).join(',')}\r\n`;
      bytes += text.length;
    }
  }
  return { rows, bytes };
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export default {
  name: 'overhead',
  title: 'Overhead: real DuckDB work through the EngineConn vs directly',
  baseline:
    '@duckdb/node-api in the bench process, configured as the engine configures DuckDB (external_threads=0): the same SQL, rows streamed chunk by chunk into JS values (and formatted as CSV for the CSV row); runs alternate EC / direct.',
  async run({ quick, log }) {
    const analyticRows = quick ? 5_000_000 : 20_000_000;
    const wideRows = quick ? 200_000 : 1_000_000;
    const reps = quick ? 1 : 5;
    const rows = [];
    const details = { analyticRows, wideRows, reps };
    const instance = await openDirectDuckDB();
    const connection = await instance.connect();
    const ec = await startEngineConn(['--engine', 'duckdb']);
    try {
      await runTask(ec.url, 'select 1');
      log(`analytic query on ${analyticRows} generated rows, ${reps} alternating runs`);
      const ecMs = [];
      const directMs = [];
      for (let i = 0; i < reps; i++) {
        ecMs.push((await timed(() => runTask(ec.url, analytic(analyticRows)))).ms);
        directMs.push(
          (await timed(() => connection.runAndReadAll(analytic(analyticRows)).then((r) => r.getRows()))).ms,
        );
      }
      details.analytic = { ecMs: ecMs.map((v) => round(v)), directMs: directMs.map((v) => round(v)) };
      rows.push({
        metric: `analytic group-by over ${analyticRows / 1e6}M rows (median)`,
        ec: round(median(ecMs)),
        baseline: round(median(directMs)),
        unit: 'ms',
        target: '<= 1.05x',
        ok: median(ecMs) <= median(directMs) * 1.05,
      });

      log(`${wideRows} rows: run + pages of ${PAGE} read as the task writes them, and run + CSV`);
      const pages = { ec: [], direct: [], fetch: [] };
      const csv = { ec: [], direct: [], fetch: [] };
      for (let i = 0; i < reps; i++) {
        const paged = await timed(() => runAndFetchPages(ec.url, WIDE(wideRows)));
        if (paged.value.rows !== wideRows) throw new Error(`pages returned ${paged.value.rows} rows`);
        pages.ec.push(paged.ms);
        pages.fetch.push(paged.value.afterEndMs);
        pages.direct.push((await timed(() => directRows(connection, WIDE(wideRows), false))).ms);
        const run2 = await timed(() => runTask(ec.url, WIDE(wideRows)));
        const streamed = await timed(() => fetchCsv(ec.url, run2.value));
        if (streamed.value !== wideRows) throw new Error(`csv returned ${streamed.value} rows`);
        csv.ec.push(run2.ms + streamed.ms);
        csv.fetch.push(streamed.ms);
        csv.direct.push((await timed(() => directRows(connection, WIDE(wideRows), true))).ms);
      }
      details.pages = Object.fromEntries(Object.entries(pages).map(([k, v]) => [k, v.map((x) => round(x))]));
      details.csv = Object.fromEntries(Object.entries(csv).map(([k, v]) => [k, v.map((x) => round(x))]));
      const label = `${wideRows / 1e6}M`;
      rows.push(
        {
          metric: `${label} rows: run + fetch in pages of ${PAGE} (median)`,
          ec: round(median(pages.ec)),
          baseline: round(median(pages.direct)),
          unit: 'ms',
        },
        {
          metric: `${label} rows: of which fetching pages after the task ended`,
          ec: round(median(pages.fetch)),
          unit: 'ms',
        },
        {
          metric: `${label} rows: run + fetch as CSV (median)`,
          ec: round(median(csv.ec)),
          baseline: round(median(csv.direct)),
          unit: 'ms',
        },
        { metric: `${label} rows: of which streaming the CSV`, ec: round(median(csv.fetch)), unit: 'ms' },
        { metric: 'EC peak RSS (whole scenario)', ec: mib(ec.peakRss()), unit: 'MiB' },
      );
    } finally {
      await ec.stop();
      connection.disconnectSync();
      instance.closeSync();
    }
    return { rows, details };
  },
};
