import { type FileHandle, mkdir, open } from 'node:fs/promises';
import type { RowsPage, TextResult as TextPage } from '@engineconn/protocol';
import { EngineConnError, TEXT_PAGE_MAX_BYTES } from '@engineconn/protocol/constants';
import { RESULT_SET_TYPES, type ResultSetMeta } from '../computation/task-types.js';
import { BadRequestError } from '../errors/errors.js';
import type { ResultSetSpec, ResultSetWriter } from '../plugin/task-context.js';
import { Wakeups } from '../util/wakeups.js';
import { corruptRows } from './corrupt-result.js';
import { RESULT_MEMORY, type ResultMemory } from './result-memory.js';
import { ResultSetFileWriter } from './result-set-file-writer.js';
import { KEPT_HANDLE_IDLE_MS, ResultStore } from './result-store.js';
import { streamBytes, streamContent, streamTable, streamTableBytes } from './set-streams.js';
import { TABLE_FORMATS, type TableFormat } from './table-formats.js';
import { type RowsJsonPage, readRowsJsonPage, readRowsJsonPageNow, rowsPageJson } from './table-page.js';
import { isContinuation, sequenceLength, wholeCharacters } from './utf8-boundaries.js';

export interface TaskResultsOptions {
  /** The task's directory; result files are `result-<index>.jsonl` (TABLE) or `.bin`. */
  dir: string;
  /** Where small sets live instead of files; default the process-wide RESULT_MEMORY. */
  memory?: ResultMemory;
  /** How long a set's read handle stays open after its last page read; default KEPT_HANDLE_IDLE_MS. */
  keptHandleIdleMs?: number;
  onCreated?: (meta: ResultSetMeta) => void;
  /** Called when a set is closed (complete). Row and byte counts in between are in `get()` / `list()`. */
  onUpdated?: (meta: ResultSetMeta) => void;
}

export type { RowsPage, TextResult as TextPage } from '@engineconn/protocol';
export { TEXT_PAGE_MAX_BYTES } from '@engineconn/protocol/constants';
export type { RowsJsonPage };

const CLOSED: Promise<void> = Promise.resolve();

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new BadRequestError(`'${name}' must be an integer >= 0, got ${value}.`);
}

/** A page's rows from their stored JSON; JSON that does not parse is the file's damage (see corruptRows). */
function parseRows(set: ResultSetFileWriter, rows: Buffer): unknown[][] {
  try {
    return JSON.parse(rows.toString('utf8')) as unknown[][];
  } catch (err) {
    throw corruptRows(set, err);
  }
}

/** The row a page's `next` names: null once the set is complete and the page reached its end. */
function nextRow(next: number, complete: boolean, rowCount: number): number | null {
  return complete && next >= rowCount ? null : next;
}

/** A page of rows [offset, offset + page.count) of the set `#tablePage` found. */
function rowsJsonPage(
  found: { set: ResultSetFileWriter; complete: boolean; rowCount: number },
  offset: number,
  page: { rows: Buffer; count: number },
): RowsJsonPage {
  const { set, complete, rowCount } = found;
  return {
    columns: set.meta().columns ?? [],
    rows: page.rows,
    offset,
    next: nextRow(offset + page.count, complete, rowCount),
  };
}

/**
 * The result sets of one task (Linkis' result-set files): small sets in memory, the others on disk,
 * created only when a set outgrows its memory (see ResultMemory). Engines write them through
 * `create()` as they run; callers read TABLE pages at any offset (a sparse row index makes deep pages
 * a seek), fetch TEXT / HTML / PICTURE content, or stream a whole set as CSV / NDJSON with memory
 * bounded by one file chunk. A stream of a set still being written follows it until it is closed.
 */
export class TaskResults {
  readonly dir: string;
  /** Dropped once the task has ended and every set is complete: none is made or closed after. */
  #onCreated: ((meta: ResultSetMeta) => void) | undefined;
  #onUpdated: ((meta: ResultSetMeta) => void) | undefined;
  readonly #memory: ResultMemory;
  readonly #keptHandleIdleMs: number;
  #sets: ResultSetFileWriter[] = [];
  #reserved = 0;
  #dirReady: Promise<unknown> | null = null;
  #ended = false;
  /**
   * Woken when a set is opened or the task ends: readers waiting for a set not there yet. Made for
   * the first such reader (most tasks have none).
   */
  #opened: Wakeups | null = null;

  constructor(opts: TaskResultsOptions) {
    this.dir = opts.dir;
    this.#onCreated = opts.onCreated;
    this.#onUpdated = opts.onUpdated;
    this.#memory = opts.memory ?? RESULT_MEMORY;
    this.#keptHandleIdleMs = opts.keptHandleIdleMs ?? KEPT_HANDLE_IDLE_MS;
  }

  /** Opens the next result set; its index is the number of sets opened before it. */
  create(spec: ResultSetSpec): Promise<ResultSetWriter> {
    if (this.#ended) {
      return Promise.reject(
        new EngineConnError('EC_INTERNAL', 'The task has ended: no new result set can be created.'),
      );
    }
    if (!RESULT_SET_TYPES.includes(spec?.type)) {
      return Promise.reject(new EngineConnError('EC_INTERNAL', `Unknown result set type '${String(spec?.type)}'.`));
    }
    if (spec.type === 'TABLE' && !Array.isArray(spec.columns)) {
      return Promise.reject(new EngineConnError('EC_INTERNAL', 'A TABLE result set needs its columns.'));
    }
    const index = this.#reserved++;
    // Opened synchronously (a set's file is made only when it outgrows memory): the set is in the
    // list as soon as create() returns, so closeAll() has no opening to wait for.
    try {
      return Promise.resolve(this.#open(index, spec));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** True once a set outgrew memory and the task's directory was made for its file. */
  get onDisk(): boolean {
    return this.#dirReady !== null;
  }

  /** Metadata of every set, in index order. */
  list(): ResultSetMeta[] {
    const list: ResultSetMeta[] = [];
    for (const set of this.#sets) if (set !== undefined) list.push(set.meta());
    return list;
  }

  get(index: number): ResultSetMeta | undefined {
    return this.#sets[index]?.meta();
  }

  /**
   * Resolves once set `index` exists and holds `rows` rows or is complete (or is not a TABLE), once
   * the task ended without such a set, or when `signal` aborts (a deadline, a caller gone), whichever
   * is first: a reader following a set while the engine writes it waits here instead of asking again.
   */
  async awaitRows(index: number, rows: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const set = Number.isInteger(index) ? this.#sets[index] : undefined;
      if (set ? set.type !== 'TABLE' || set.complete || set.rowCount >= rows : this.#ended) return;
      // The signal goes to the wait itself: a wait cut short leaves no waiter behind on the set.
      await (set ? set.changed(signal) : this.#openedWakeups().wait(signal));
    }
  }

  /**
   * Readers waiting now for a set to be opened or to change (awaitRows, streams following a set):
   * a reader that gave up is no longer counted.
   */
  get waiting(): number {
    let count = this.#opened?.size ?? 0;
    for (const set of this.#sets) if (set !== undefined) count += set.waiting;
    return count;
  }

  /** TABLE rows [offset, offset + limit) among those fully written so far. */
  async readRows(index: number, offset: number, limit: number): Promise<RowsPage> {
    const page = await this.readRowsJson(index, offset, limit);
    return {
      columns: page.columns,
      rows: parseRows(this.#find(index), page.rows),
      offset,
      next: page.next,
    };
  }

  /**
   * The same page with its rows as the UTF-8 JSON text of an array, made from the stored bytes (see
   * readRowsJsonPage): an HTTP answer built from it skips parsing and re-serialising every row. With
   * `maxBytes`, the rows stop before the one that would take their JSON past it (maybe none).
   */
  async readRowsJson(index: number, offset: number, limit: number, maxBytes?: number): Promise<RowsJsonPage> {
    const found = this.#tablePage(index, offset, limit);
    const end = Math.min(found.rowCount, offset + limit);
    return rowsJsonPage(found, offset, await readRowsJsonPage(found.set, offset, end, maxBytes));
  }

  /**
   * readRowsJson in the same turn, for a set held in memory; null when it is in its file (then use
   * readRowsJson). The one-request answer reads a small task's first page this way.
   */
  readRowsJsonNow(index: number, offset: number, limit: number, maxBytes?: number): RowsJsonPage | null {
    const found = this.#tablePage(index, offset, limit);
    const page = readRowsJsonPageNow(found.set, offset, Math.min(found.rowCount, offset + limit), maxBytes);
    return page && rowsJsonPage(found, offset, page);
  }

  /**
   * The same page as the whole JSON answer of `GET …/results/:index` (a RowsPage), built in the one
   * buffer its rows are read into (see rowsPageJson): what the HTTP route sends as it is.
   */
  async readRowsPageJson(index: number, offset: number, limit: number): Promise<Buffer> {
    const { set, complete, rowCount } = this.#tablePage(index, offset, limit);
    const head = Buffer.from(`{"columns":${JSON.stringify(set.meta().columns ?? [])},"rows":`);
    const { json } = await rowsPageJson(set, offset, Math.min(rowCount, offset + limit), head, (count) => {
      return `,"offset":${offset},"next":${nextRow(offset + count, complete, rowCount)}}`;
    });
    return json;
  }

  /**
   * A page of a TEXT or HTML set: at most `maxBytes` UTF-8 bytes (at most 1 MiB) from byte `offset`,
   * cut before a character whose bytes are not all in the page. An offset inside a character moves
   * forward to the next one. A character longer than the whole page comes whole rather than as an
   * empty page; `maxBytes` 0 gives an empty page (a budget used up). Only the page is read, from
   * memory or the file.
   */
  async readText(index: number, offset: number, maxBytes: number = TEXT_PAGE_MAX_BYTES): Promise<TextPage> {
    const set = this.#find(index);
    if (set.type !== 'TEXT' && set.type !== 'HTML') {
      throw new BadRequestError(`Result set ${index} is ${set.type}: only TEXT and HTML sets are read as text.`);
    }
    checkCount('offset', offset);
    checkCount('maxBytes', maxBytes);
    if (maxBytes > TEXT_PAGE_MAX_BYTES) {
      throw new BadRequestError(`A text page is at most ${TEXT_PAGE_MAX_BYTES} bytes; ${maxBytes} were asked for.`);
    }
    const complete = set.complete;
    const end = set.committedBytes;
    let start = Math.min(offset, end);
    // Six more bytes than the page: up to three continuation bytes skipped at the start, and the rest
    // of one character when it alone is longer than the page.
    const buf =
      maxBytes === 0
        ? Buffer.alloc(0)
        : await this.#readBytes(set, start, Math.max(0, Math.min(maxBytes + 6, end - start)));
    let skip = 0;
    while (skip < buf.length && isContinuation(buf[skip] as number)) skip++;
    start += skip;
    // The page stays within [offset, offset + maxBytes) of the bytes asked for.
    const window = buf.subarray(skip, Math.max(skip, Math.min(buf.length, maxBytes)));
    let take = wholeCharacters(window);
    if (take === 0 && skip < buf.length) take = Math.min(buf.length - skip, sequenceLength(buf[skip] as number));
    const next = start + take;
    return {
      text: buf.subarray(skip, skip + take).toString('utf8'),
      offset: start,
      next: complete && next >= end ? null : next,
    };
  }

  /**
   * The content written so far of a TEXT, HTML or PICTURE set, whole in memory: for small sets and
   * tests. Callers serving a set of any size use readText() or streamBytes().
   */
  async readContent(index: number): Promise<Buffer> {
    const set = this.#find(index);
    if (set.type === 'TABLE') throw new BadRequestError(`Result set ${index} is a TABLE: read it in pages of rows.`);
    return this.#readBytes(set, 0, set.committedBytes);
  }

  /** `length` stored bytes from `position` (fewer if the store ends first), on the set's kept handle. */
  async #readBytes(set: ResultSetFileWriter, position: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    if (length === 0) return buf;
    return buf.subarray(0, await set.readAt(buf, 0, length, position));
  }

  /**
   * The whole set as text: a TABLE as `csv` (header row, RFC 4180 quoting, CRLF) or `ndjson` (one
   * object per row keyed by column name), a TEXT or HTML set as its content. Checks the arguments
   * before returning, so a caller can answer an error before it starts sending. When `signal` aborts
   * (the caller went), a stream waiting for more of the set ends with the signal's reason and closes
   * its file at once.
   */
  stream(index: number, format: TableFormat, signal?: AbortSignal): AsyncIterable<string> {
    const set = this.#find(index);
    if (set.type === 'PICTURE') throw new BadRequestError(`Result set ${index} is a PICTURE: fetch its bytes instead.`);
    if (set.type !== 'TABLE') return streamContent(set, signal);
    if (!TABLE_FORMATS.includes(format)) {
      throw new BadRequestError(`Unknown format '${String(format)}': use ${TABLE_FORMATS.join(' or ')}.`);
    }
    return streamTable(set, format, signal);
  }

  /**
   * The bytes of a TEXT, HTML or PICTURE set as they are stored, a chunk at a time, following the set
   * until it is closed (or `signal` aborts, as in stream()): a download of any size in bounded memory.
   */
  streamBytes(index: number, signal?: AbortSignal): AsyncIterable<Buffer> {
    const set = this.#find(index);
    if (set.type === 'TABLE') throw new BadRequestError(`Result set ${index} is a TABLE: stream it as csv or ndjson.`);
    return streamBytes(set, signal);
  }

  /** Gives the memory of in-memory sets back to the budget: the task is no longer served. */
  release(): void {
    for (const set of this.#sets) set?.release();
  }

  /**
   * Closes every set the engine left open and refuses new ones: the task has ended. With
   * `truncated` (the task did not succeed), sets still open are marked truncated.
   */
  closeAll(opts: { truncated?: boolean } = {}): Promise<void> {
    this.#ended = true;
    // No set comes after: the list in an array of its own length, kept for the task's retention.
    this.#sets = this.#sets.slice();
    this.#opened?.wakeAll();
    // Most tasks closed their sets themselves: nothing to wait for, no promises to make.
    if (this.#sets.every((set) => set === undefined || set.complete)) {
      this.#dropCallbacks();
      return CLOSED;
    }
    return this.#closeAll(opts);
  }

  async #closeAll(opts: { truncated?: boolean }): Promise<void> {
    const sets = this.#sets.filter((set) => set !== undefined);
    try {
      await Promise.all(sets.map((set) => (opts.truncated ? set.closeTruncated() : set.close())));
    } finally {
      this.#dropCallbacks();
    }
  }

  #openedWakeups(): Wakeups {
    this.#opened ??= new Wakeups();
    return this.#opened;
  }

  /** No set is made or completed any more: the task's callbacks (closures over it) are not kept. */
  #dropCallbacks(): void {
    this.#onCreated = undefined;
    this.#onUpdated = undefined;
  }

  #open(index: number, spec: ResultSetSpec): ResultSetWriter {
    // Not path.join: the directory is already normal, and join normalised it again for every set.
    const file = `${this.dir}/result-${index}.${spec.type === 'TABLE' ? 'jsonl' : 'bin'}`;
    const writer = new ResultSetFileWriter({
      index,
      spec,
      store: new ResultStore(file, () => this.#createFile(file), this.#memory, this.#keptHandleIdleMs),
      onClosed: (closed) => this.#onUpdated?.(closed.meta()),
    });
    this.#sets[index] = writer;
    this.#onCreated?.(writer.meta());
    this.#opened?.wakeAll();
    return writer;
  }

  /** Creates a set's file (and the task's directory), when the set outgrows memory. */
  async #createFile(file: string): Promise<FileHandle> {
    this.#dirReady ??= mkdir(this.dir, { recursive: true });
    try {
      await this.#dirReady;
    } catch (err) {
      this.#dirReady = null;
      throw new EngineConnError('EC_INTERNAL', `Cannot create the result directory ${this.dir}: ${String(err)}`, {
        cause: err,
      });
    }
    try {
      return await open(file, 'w');
    } catch (err) {
      throw new EngineConnError('EC_INTERNAL', `Cannot create result file ${file}: ${String(err)}`, { cause: err });
    }
  }

  /**
   * The TABLE set a page is read from, with its state taken once before the read: rows committed
   * later belong to the next page, and `complete` says whether this one may be the last.
   */
  #tablePage(index: number, offset: number, limit: number) {
    const set = this.#find(index);
    if (set.type !== 'TABLE')
      throw new BadRequestError(`Result set ${index} is ${set.type}: it has content, not rows.`);
    checkCount('offset', offset);
    checkCount('limit', limit);
    return { set, complete: set.complete, rowCount: set.rowCount };
  }

  #find(index: number): ResultSetFileWriter {
    const set = Number.isInteger(index) ? this.#sets[index] : undefined;
    if (!set) throw new EngineConnError('EC_RESULT_NOT_FOUND', `The task has no result set ${index}.`);
    return set;
  }

  /**
   * A TABLE set as CSV or NDJSON bytes (see set-streams.ts); checks its arguments and ends on
   * `signal` as stream() does.
   */
  streamTableBytes(index: number, format: TableFormat, signal?: AbortSignal): AsyncIterable<Buffer> {
    const set = this.#find(index);
    if (set.type !== 'TABLE')
      throw new BadRequestError(`Result set ${index} is ${set.type}: it has content, not rows.`);
    if (!TABLE_FORMATS.includes(format)) {
      throw new BadRequestError(`Unknown format '${String(format)}': use ${TABLE_FORMATS.join(' or ')}.`);
    }
    return streamTableBytes(set, format, signal);
  }
}
