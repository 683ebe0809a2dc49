// What the duckdb engine benches share: the engine's own session and executor opened outside an
// EngineConn, and a bare TaskContext, so a figure is the executor's cost and nothing else's.
import { EngineCreationContext } from '@engineconn/core';
import { duckdbEngine } from '../dist/index.js';

/** The duckdb session and its `sql` executor, with the engine's defaults and `overrides`. */
export async function openExecutor({ dataDir, concurrency, overrides = {} }) {
  const ctx = new EngineCreationContext({
    id: 'bench',
    user: 'bench',
    engineType: 'duckdb',
    executor: 'concurrent',
    labels: {},
    options: { ...duckdbEngine.defaultOptions, ...overrides },
    dataDir,
  });
  const env = {
    concurrency,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
  };
  const session = await duckdbEngine.createSession(ctx, env);
  return { session, executor: await duckdbEngine.createExecutor(session, 'sql', ctx) };
}

/** A TaskContext that logs nothing and whose result sets hand each batch's row count to `onRows`. */
export function bareTask(code, workDir, onRows = () => {}) {
  return {
    id: 'bench',
    code,
    runType: 'sql',
    user: 'bench',
    properties: {},
    labels: {},
    signal: new AbortController().signal,
    killGraceMs: 1000,
    workDir,
    log() {},
    progress() {},
    statements() {},
    statementStarted() {},
    async createResultSet() {
      return {
        index: 0,
        async writeRows(batch) {
          onRows(batch.length);
        },
        // The engine writes a query's rows as stored lines; only their count matters here.
        async writeRowLines(_lines, rows) {
          onRows(rows);
        },
        async write() {},
        async close() {},
      };
    },
  };
}
