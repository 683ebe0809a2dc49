import type { Column, ProgressInfo, ResultSetMeta, TaskInfo } from './task-types.js';

/*
 * A task's info as JSON text, byte for byte what `JSON.stringify(info)` gives, written key by
 * key: V8's JSON.stringify spent 4-9 µs of the main thread on a trivial task's ~450-byte info
 * (walking each object's properties and checking each value's type), more than the rest of the
 * one-request answer together; writing the known keys in their order costs a fraction of that. The
 * key order is the one `EngineConnTask.info()` builds; a test checks the two agree, key by key of
 * the zod schemas, for tasks with every optional field and with strings that need escaping.
 */

/** Text JSON.stringify writes as it is: no quote, backslash, control character or surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what JSON escapes
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** A string as JSON: quoted as it is when nothing in it needs escaping, else by JSON.stringify. */
export function jsonString(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** A number as JSON: NaN and the infinities are `null`, as JSON.stringify writes them. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

export function columnsJson(columns: readonly Column[]): string {
  let out = '[';
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as Column;
    out += `${i > 0 ? ',' : ''}{"name":${jsonString(column.name)},"type":${jsonString(column.type)}}`;
  }
  return `${out}]`;
}

export function resultSetMetaJson(meta: ResultSetMeta): string {
  const columns = meta.columns === undefined ? '' : `,"columns":${columnsJson(meta.columns)}`;
  const mimeType = meta.mimeType === undefined ? '' : `,"mimeType":${jsonString(meta.mimeType)}`;
  const truncated = meta.truncated === undefined ? '' : `,"truncated":${meta.truncated}`;
  return `{"index":${jsonNumber(meta.index)},"type":"${meta.type}"${columns},"rowCount":${jsonNumber(meta.rowCount)},"byteCount":${jsonNumber(meta.byteCount)}${mimeType},"complete":${meta.complete}${truncated}}`;
}

function progressInfoJson(info: readonly ProgressInfo[]): string {
  let out = '[';
  for (let i = 0; i < info.length; i++) {
    const p = info[i] as ProgressInfo;
    out += `${i > 0 ? ',' : ''}{"id":${jsonString(p.id)},"totalTasks":${jsonNumber(p.totalTasks)},"runningTasks":${jsonNumber(p.runningTasks)},"failedTasks":${jsonNumber(p.failedTasks)},"succeedTasks":${jsonNumber(p.succeedTasks)}}`;
  }
  return `${out}]`;
}

function listJson<T>(items: readonly T[], json: (item: T) => string): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += `${i > 0 ? ',' : ''}${json(items[i] as T)}`;
  return `${out}]`;
}

const time = (iso: string | null): string => (iso === null ? 'null' : jsonString(iso));

/**
 * `JSON.stringify(info)` without its closing brace: the one-request answer adds its `results` there
 * without slicing the text. Of an engine's progress entries only the schema's keys are written,
 * which is all a client parsing the answer keeps.
 */
export function taskInfoJsonHead(t: TaskInfo): string {
  // The error is the engine's ErrorBody as toJSON() made it: JSON.stringify writes whatever it holds.
  const error = t.error === undefined ? '' : `,"error":${JSON.stringify(t.error)}`;
  let labels = '{}';
  for (const _ in t.labels) {
    labels = JSON.stringify(t.labels);
    break;
  }
  return `{"id":${jsonString(t.id)},"owner":${jsonString(t.owner)},"status":"${t.status}","runType":${jsonString(t.runType)},"progress":${jsonNumber(t.progress)},"progressInfo":${progressInfoJson(t.progressInfo)},"statements":{"total":${jsonNumber(t.statements.total)},"current":${jsonNumber(t.statements.current)}},"createdAt":${time(t.createdAt)},"startedAt":${time(t.startedAt)},"finishedAt":${time(t.finishedAt)}${error},"resultSets":${listJson(t.resultSets, resultSetMetaJson)},"labels":${labels},"logLines":${jsonNumber(t.logLines)}`;
}

/** `JSON.stringify(info)`, written key by key. */
export function taskInfoJson(t: TaskInfo): string {
  return `${taskInfoJsonHead(t)}}`;
}
