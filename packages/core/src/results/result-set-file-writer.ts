import { EngineConnError } from '@engineconn/protocol/constants';
import type { Column, ResultSetMeta } from '../computation/task-types.js';
import type { ResultSetSpec, ResultSetWriter } from '../plugin/task-context.js';
import type { ReadHandle } from '../util/line-file.js';
import { Wakeups } from '../util/wakeups.js';
import { JSON_BYTES } from '../values/json-bytes.js';
import type { ResultStore } from './result-store.js';
import { encodeRowLines } from './row-lines.js';

/** Every this many rows the byte offset of a row is remembered, so a deep page is a seek. */
export const ROW_INDEX_EVERY = 1000;

const { NEWLINE } = JSON_BYTES;

/** Committed bytes [position, end) of a TABLE set, holding its rows [row, endRow) (see rowRange). */
export interface RowRange {
  position: number;
  row: number;
  end: number;
  endRow: number;
}

/** What a write or close that completed synchronously returns. */
const DONE: Promise<void> = Promise.resolve();

const frozenColumn = (c: Column): Column => Object.freeze({ name: c.name, type: c.type });

/**
 * A frozen copy of complete metadata, in the same key order, built from object literals: V8 gives
 * a frozen spread copy (`Object.freeze({ ...meta })`) a hidden class of its own, so every finished
 * set kept one (about 400 bytes with its columns' and descriptors, for the task's whole retention)
 * and every reader's property loads and `JSON.stringify` met a shape they had not seen.
 */
function frozenMeta(m: ResultSetMeta): ResultSetMeta {
  const { index, type, columns, rowCount, byteCount, mimeType, complete } = m;
  const meta: ResultSetMeta = columns
    ? { index, type, columns: Object.freeze(columns.map(frozenColumn)) as Column[], rowCount, byteCount, complete }
    : mimeType !== undefined
      ? { index, type, rowCount, byteCount, mimeType, complete }
      : { index, type, rowCount, byteCount, complete };
  if (m.truncated !== undefined) meta.truncated = m.truncated;
  return Object.freeze(meta);
}

export interface ResultSetFileWriterInit {
  index: number;
  spec: ResultSetSpec;
  store: ResultStore;
  onClosed: (writer: ResultSetFileWriter) => void;
}

/**
 * Writes one result set as the engine produces it: TABLE rows as one JSON array per line (each value
 * encoded by `encodeValue`, docs/api.md), other types as raw bytes, into its store (memory while
 * small, else its file). Each write returns once
 * its bytes are stored, which is the back pressure on a fast engine; only then do `rowCount` /
 * `byteCount` move, so a reader never sees a half-written row. Writes are serialised in call order
 * even if the engine does not await them.
 */
export class ResultSetFileWriter implements ResultSetWriter {
  readonly index: number;
  readonly file: string;
  /** The metadata as the set is written; the frozen copy once complete (the mutable one is not kept). */
  #meta: ResultSetMeta;
  /** Called once, when the set completes, then dropped: a finished set is kept without it. */
  #onClosed: ((writer: ResultSetFileWriter) => void) | null;
  readonly #store: ResultStore;
  /** Bytes stored that readers may use (whole rows or content). */
  #committedBytes = 0;
  /** TABLE rows and bytes serialised so far, committed or queued. */
  #queuedRows = 0;
  #queuedBytes = 0;
  /** `#rowOffsets[k]` is the byte offset of row `k * ROW_INDEX_EVERY`. */
  #rowOffsets: number[] = [];
  #tail: Promise<void> = DONE;
  /** Writes queued behind #tail and not yet settled. */
  #queued = 0;
  #failure: EngineConnError | null = null;
  #closing: Promise<void> | null = null;
  /** Readers waiting for the next commit; made for the first one (most sets have none). */
  #changes: Wakeups | null = null;
  /** The metadata once complete (see meta()). */
  #final: ResultSetMeta | null = null;

  constructor(init: ResultSetFileWriterInit) {
    this.index = init.index;
    this.file = init.store.file;
    this.#store = init.store;
    this.#onClosed = init.onClosed;
    const { spec } = init;
    this.#meta = {
      index: init.index,
      type: spec.type,
      ...(spec.type === 'TABLE' ? { columns: spec.columns.map((c) => ({ name: c.name, type: c.type })) } : {}),
      rowCount: 0,
      byteCount: 0,
      ...(spec.type === 'PICTURE' ? { mimeType: spec.mimeType ?? 'image/png' } : {}),
      complete: false,
    };
  }

  /**
   * A copy of the metadata as readers may see it now. Once the set is complete it no longer
   * changes: one frozen copy then serves every reader (a task's info, its events, its pages).
   */
  meta(): ResultSetMeta {
    if (this.#final) return this.#final;
    const meta = { ...this.#meta };
    if (meta.columns) meta.columns = meta.columns.map((c) => ({ ...c }));
    return meta;
  }

  get type(): ResultSetMeta['type'] {
    return this.#meta.type;
  }

  get columns(): ResultSetMeta['columns'] {
    return this.#meta.columns;
  }

  get rowCount(): number {
    return this.#meta.rowCount;
  }

  get complete(): boolean {
    return this.#meta.complete;
  }

  /** Bytes stored holding whole rows or content, safe to read. */
  get committedBytes(): number {
    return this.#committedBytes;
  }

  /** The byte offset of the indexed row at or before `row`, and that row's number. */
  seek(row: number): { position: number; row: number } {
    const block = Math.min(Math.floor(row / ROW_INDEX_EVERY), this.#rowOffsets.length - 1);
    if (block < 0) return { position: 0, row: 0 };
    return { position: this.#rowOffsets[block] as number, row: block * ROW_INDEX_EVERY };
  }

  /**
   * A committed byte range holding rows [from, to) (to ≤ rowCount): it starts at the indexed row
   * `row` at or before `from` and ends on a row boundary at or after the end of row `to - 1`, the
   * start of row `endRow` (an indexed row, or the first row not committed yet).
   */
  rowRange(from: number, to: number): RowRange {
    const { position, row } = this.seek(from);
    const after = Math.floor((to - 1) / ROW_INDEX_EVERY) + 1;
    const bound = this.#rowOffsets[after];
    // Literals, not `{ ...start, end }`: the spread copy was an eighth of a small page's read.
    // An indexed row may be queued and not yet committed: the range then ends at what is.
    if (bound !== undefined && bound <= this.#committedBytes) {
      return { position, row, end: bound, endRow: after * ROW_INDEX_EVERY };
    }
    return { position, row, end: this.#committedBytes, endRow: this.#meta.rowCount };
  }

  /** A handle on the stored bytes (memory or file); read at most `committedBytes` of it. */
  openRead(): Promise<ReadHandle> {
    return this.#store.openRead();
  }

  /** The stored bytes while the set is in memory (see ResultStore.memoryBytes), else null. */
  memoryBytes(): Buffer | null {
    return this.#store.memoryBytes();
  }

  /** Copies up to `length` stored bytes from `position` (see ResultStore.readAt); returns how many. */
  readAt(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.#store.readAt(buffer, offset, length, position);
  }

  /** True while the set lives in memory only. */
  get inMemory(): boolean {
    return this.#store.inMemory;
  }

  /** Gives the set's memory back: its task is no longer served. */
  release(): void {
    this.#store.release();
  }

  /**
   * Resolves at the next commit or at close, or when `signal` aborts: lets a streaming reader wait
   * for more. An aborted wait is dropped at once, not kept until the set next changes.
   */
  changed(signal?: AbortSignal): Promise<void> {
    if (this.#meta.complete) return DONE;
    this.#changes ??= new Wakeups();
    return this.#changes.wait(signal);
  }

  /** Readers waiting in changed() now. */
  get waiting(): number {
    return this.#changes?.size ?? 0;
  }

  writeRows(rows: readonly (readonly unknown[])[]): Promise<void> {
    const refused = this.#refuse('TABLE', 'writeRows');
    if (refused) return refused;
    if (rows.length === 0) return this.#tail;
    for (let i = 0; i < rows.length; i++) {
      if (!Array.isArray(rows[i])) {
        return this.#reject(
          `Row ${this.#queuedRows + i} of result set ${this.index} is not an array of column values.`,
        );
      }
    }
    // Rows are serialised now, so the engine may reuse its arrays as soon as this returns.
    const { buf, offsets } = encodeRowLines(rows, this.#queuedRows, ROW_INDEX_EVERY);
    for (const offset of offsets) this.#rowOffsets.push(this.#queuedBytes + offset);
    this.#queuedRows += rows.length;
    this.#queuedBytes += buf.length;
    return this.#enqueue(buf, rows.length);
  }

  writeRowLines(lines: Uint8Array, rows: number): Promise<void> {
    const refused = this.#refuse('TABLE', 'writeRowLines');
    if (refused) return refused;
    const buf = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
    // The newlines are counted, not trusted: a page is spliced from these bytes line by line, so a
    // batch whose lines are not its rows would serve the wrong rows to every later page.
    const offsets = indexedLineStarts(buf, this.#queuedRows, ROW_INDEX_EVERY, rows);
    if (!offsets) {
      return this.#reject(
        `The lines given to result set ${this.index} are not ${rows} rows, each ending in a newline.`,
      );
    }
    if (rows === 0) return this.#tail;
    for (const offset of offsets) this.#rowOffsets.push(this.#queuedBytes + offset);
    this.#queuedRows += rows;
    this.#queuedBytes += buf.length;
    return this.#enqueue(buf, rows);
  }

  write(chunk: string | Uint8Array): Promise<void> {
    const refused = this.#refuse('CONTENT', 'write');
    if (refused) return refused;
    // A copy: the caller may reuse its Uint8Array as soon as this returns.
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    if (buf.length === 0) return this.#tail;
    return this.#enqueue(buf, 0);
  }

  /**
   * Closes a set the engine never closed because its task ended first: marked truncated, so the
   * prefix that was written is never mistaken for the whole result. A set already closed stays whole.
   */
  closeTruncated(): Promise<void> {
    if (!this.#closing) this.#meta.truncated = true;
    return this.close();
  }

  /** Waits for queued writes, releases the file and marks the set complete. Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    // A set in memory with no write queued closes at once: a promise chain per set was most of
    // what a one-row result cost. Closing is recorded before the set completes, so a close() or
    // closeTruncated() made from its completion's callbacks finds it closed (its metadata is
    // frozen by then).
    if (this.#queued === 0 && !this.#store.writing) {
      this.#closing = DONE;
      this.#complete();
    } else {
      this.#closing = this.#closeLater();
    }
    return this.#closing;
  }

  async #closeLater(): Promise<void> {
    await this.#tail.catch(() => {});
    try {
      await this.#store.close();
    } catch {
      // The bytes are already written; a failing close loses nothing a reader needs.
    }
    this.#complete();
  }

  #complete(): void {
    this.#meta.complete = true;
    // Frozen now and kept alone: a finished set is kept for its task's retention, and it held both.
    this.#final = frozenMeta(this.#meta);
    this.#meta = this.#final;
    // No row comes after: the index in an array of its own length (one grown by push keeps room
    // for 17 or more), since the set is kept for its task's retention.
    this.#rowOffsets = this.#rowOffsets.slice();
    this.#changes?.wakeAll();
    this.#store.seal();
    const onClosed = this.#onClosed;
    this.#onClosed = null;
    onClosed?.(this);
  }

  #refuse(kind: 'TABLE' | 'CONTENT', method: string): Promise<void> | null {
    if (this.#closing) return this.#reject(`Result set ${this.index} is closed; ${method} came after close().`);
    if (this.#failure) return Promise.reject(this.#failure);
    if ((kind === 'TABLE') !== (this.#meta.type === 'TABLE')) {
      const use = this.#meta.type === 'TABLE' ? 'writeRows' : 'write';
      return this.#reject(`Result set ${this.index} is ${this.#meta.type}: use ${use}(), not ${method}().`);
    }
    return null;
  }

  #reject(message: string): Promise<void> {
    return Promise.reject(new EngineConnError('EC_INTERNAL', message));
  }

  #enqueue(buf: Buffer, rows: number): Promise<void> {
    // Nothing queued and room in memory: stored now, in order, with no promise chained.
    if (this.#queued === 0 && this.#failure === null && this.#store.appendInMemory(buf)) {
      this.#commit(buf.length, rows);
      return DONE;
    }
    this.#queued++;
    const write = this.#tail.then(async () => {
      try {
        if (this.#failure) throw this.#failure;
        try {
          await this.#store.append(buf);
        } catch (err) {
          this.#failure = new EngineConnError(
            'EC_INTERNAL',
            `Writing result set ${this.index} to ${this.file} failed: ${String(err)}`,
            {
              cause: err,
            },
          );
          throw this.#failure;
        }
        this.#commit(buf.length, rows);
      } finally {
        this.#queued--;
      }
    });
    this.#tail = write.catch(() => {});
    return write;
  }

  #commit(bytes: number, rows: number): void {
    this.#committedBytes += bytes;
    if (this.#meta.type === 'TABLE') this.#meta.rowCount += rows;
    else this.#meta.byteCount += bytes;
    this.#changes?.wakeAll();
  }
}

/**
 * The byte offsets in `buf` of the lines numbered (from `firstLine`) a multiple of `every`, when
 * `buf` is exactly `rows` `\n`-terminated lines; else null.
 */
function indexedLineStarts(buf: Buffer, firstLine: number, every: number, rows: number): number[] | null {
  if (!Number.isInteger(rows) || rows < 0) return null;
  if (rows === 0) return buf.length === 0 ? [] : null;
  if (buf[buf.length - 1] !== NEWLINE) return null;
  const offsets: number[] = [];
  let start = 0;
  for (let line = 0; line < rows; line++) {
    if ((firstLine + line) % every === 0) offsets.push(start);
    const end = buf.indexOf(NEWLINE, start);
    if (end < 0) return null;
    start = end + 1;
  }
  return start === buf.length ? offsets : null;
}
