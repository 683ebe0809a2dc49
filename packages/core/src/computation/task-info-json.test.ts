import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResultSetMetaSchema, TaskInfoSchema } from '@engineconn/protocol';
import { columnsJson, jsonString, resultSetMetaJson, taskInfoJson, taskInfoJsonHead } from './task-info-json.js';
import type { ResultSetMeta, TaskInfo } from './task-types.js';

/** Strings JSON.stringify writes escaped, or as they are although they are not ASCII. */
const AWKWARD = [
  '',
  'plain',
  'a "quoted" name',
  'back\\slash',
  'tab\there, newline\nthere, nul \u0000, unit separator \u001f',
  'del \u007f and é, 名前, emoji 😀',
  'lone high \ud800 surrogate',
  'lone low \udc00 surrogate',
  '\u2028 line and paragraph \u2029 separators',
  '</script><!--',
];

const table: ResultSetMeta = {
  index: 0,
  type: 'TABLE',
  columns: [
    { name: 'one', type: 'INTEGER' },
    { name: 'a "b"', type: 'VARCHAR' },
  ],
  rowCount: 3,
  byteCount: 0,
  complete: true,
};
const picture: ResultSetMeta = {
  index: 1,
  type: 'PICTURE',
  rowCount: 0,
  byteCount: 12,
  mimeType: 'image/png',
  complete: false,
  truncated: true,
};
const text: ResultSetMeta = { index: 2, type: 'TEXT', rowCount: 0, byteCount: 5, complete: true, truncated: false };

/** An info with every key of the schema, optional ones included. */
function fullInfo(s: string): TaskInfo {
  return {
    id: `t-${s}`,
    owner: s,
    status: 'Failed',
    runType: s,
    progress: 0.25,
    progressInfo: [
      { id: s, totalTasks: 3, runningTasks: 1, failedTasks: 0, succeedTasks: 2 },
      { id: 'b', totalTasks: 1e21, runningTasks: -0, failedTasks: 0.5, succeedTasks: 7 },
    ],
    statements: { total: 2, current: 1 },
    createdAt: '2026-12-01T22:45:33.924Z',
    startedAt: '2026-12-01T22:45:33.925Z',
    finishedAt: s,
    error: { code: 'EC_ENGINE_ERROR', message: s },
    resultSets: [table, picture, text, { ...table, index: 3, columns: [{ name: s, type: s }] }],
    labels: { [s]: s, engine: 'duckdb' },
    logLines: 2,
  };
}

test('taskInfoJson writes what JSON.stringify writes, for every key of the schema and strings that need escaping', () => {
  for (const s of AWKWARD) {
    const info = fullInfo(s);
    assert.deepEqual(Object.keys(info).sort(), Object.keys(TaskInfoSchema.shape).sort());
    assert.equal(taskInfoJson(info), JSON.stringify(info));
    assert.equal(taskInfoJsonHead(info), JSON.stringify(info).slice(0, -1));
    assert.deepEqual(JSON.parse(taskInfoJson(info)), JSON.parse(JSON.stringify(info)));
    assert.equal(jsonString(s), JSON.stringify(s));
  }
});

test('taskInfoJson writes a task that has not started: null times, no error, no sets, no labels', () => {
  const info: TaskInfo = {
    id: 't-AAAAAAAAAAAA',
    owner: 'alice',
    status: 'Inited',
    runType: 'sql',
    progress: 0,
    progressInfo: [],
    statements: { total: 0, current: 0 },
    createdAt: '2026-12-01T22:45:33.924Z',
    startedAt: null,
    finishedAt: null,
    resultSets: [],
    labels: Object.freeze({}),
    logLines: 0,
  };
  assert.equal(taskInfoJson(info), JSON.stringify(info));
});

test('resultSetMetaJson covers every key of the result set schema; numbers JSON has no form for are null', () => {
  const every: ResultSetMeta = { ...picture, columns: [{ name: 'x', type: 'BLOB' }] };
  assert.deepEqual(Object.keys(every).sort(), Object.keys(ResultSetMetaSchema.shape).sort());
  // The schema's order, as core builds a set's metadata.
  const ordered = ResultSetMetaSchema.parse(every);
  assert.equal(resultSetMetaJson(ordered), JSON.stringify(ordered));
  for (const meta of [table, picture, text]) assert.equal(resultSetMetaJson(meta), JSON.stringify(meta));
  const odd = { ...text, rowCount: Number.NaN, byteCount: Number.POSITIVE_INFINITY };
  assert.equal(resultSetMetaJson(odd), JSON.stringify(odd));
  assert.equal(columnsJson([]), '[]');
  assert.equal(columnsJson(table.columns ?? []), JSON.stringify(table.columns));
});
