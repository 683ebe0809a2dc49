import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogPage } from '@engineconn/protocol';
import { BadRequestError } from '../errors/errors.js';
import { atEndOfTick } from '../util/end-of-tick.js';
import { encodeLines, readLines } from '../util/line-file.js';

export interface TaskLogOptions {
  /** The log file; its directory is created on the first write. */
  file: string;
  /** Lines kept in memory for fast reads; older ones are read back from the file. Default 5000. */
  memoryLines?: number;
  /** Characters kept in memory at most, whatever `memoryLines` says. Default 16 Mi. */
  memoryChars?: number;
  /** Lines kept per task; 0 (the default) keeps all. Beyond it lines are counted, not kept. */
  maxLines?: number;
  /** Characters kept per task; 0 (the default) keeps all. Beyond it lines are counted, not kept. */
  maxChars?: number;
  /** Longer lines are split into several (nothing is lost). Counted in UTF-16 units. Default 64 Ki. */
  maxLineLength?: number;
  /** Called once per event-loop tick with the lines appended in it; `lines[i]` has seq `from + i`. */
  onBatch?: (from: number, lines: string[]) => void;
  /** A throwing `onBatch` or a failing log file is reported here (default: a process warning). */
  onError?: (err: unknown) => void;
}

/** A page of a task's log, as `GET /api/v1/tasks/:id/logs` answers it. */
export type TaskLogPage = LogPage;

/** Every this many lines the byte offset of a line is remembered, so deep reads seek instead of scan. */
const INDEX_EVERY = 1024;
/**
 * The batch of a finished log, to which nothing is pushed: one array for every retained task, frozen
 * so that a push after the end would throw rather than reach every other finished task's log.
 */
const NO_LINES = Object.freeze([]) as unknown as string[];
/** Characters of a finished log kept in memory; a longer one is read back from its file. */
const RETAINED_CHARS = 64 * 1024;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The ordered log of one task (Linkis' LogCache, without its silent drops). Every line gets a sequence
 * number from 0. Lines go to the file, synchronously, when a line would otherwise leave the memory
 * window unwritten (everything not yet written goes in that one write), so whatever is not in memory
 * is on disk; a log that fits in memory never creates its file, which on a virtualised disk saves a
 * trivial task more CPU than the rest of its logging costs. Once a log has a file, `finish()` writes
 * the rest, so a file on disk is always the whole log.
 * Reads at any offset work while the task runs and after it ended; a sparse byte-offset index makes a
 * read deep into a long log a seek, not a scan. When `maxLines` is reached, one notice line says so,
 * further lines are counted, and `finish()` records how many were cut. If the file cannot be written,
 * the log does the same with a notice naming the error.
 */
export class TaskLog {
  readonly file: string;
  readonly #memoryLines: number;
  readonly #memoryChars: number;
  readonly #maxLines: number;
  readonly #maxChars: number;
  readonly #maxLineLength: number;
  /** Dropped when the log ends: a finished task is kept for its retention, and no batch comes. */
  #onBatch: ((from: number, lines: string[]) => void) | undefined;
  readonly #onError: ((err: unknown) => void) | undefined;

  /** The memory window: lines [#count - size, #count) live at #window[#head …]. */
  #window: string[] = [];
  #head = 0;
  #windowChars = 0;
  #count = 0;
  #kept = 0;
  #keptChars = 0;
  #cut = 0;
  #capped = false;

  #fd: number | null = null;
  #onDisk = false;
  #written = 0;
  #writtenBytes = 0;
  #writeFailed = false;
  /** `#index[k]` is the byte offset of line `k * INDEX_EVERY`. */
  #index: number[] = [];

  #batch: string[] = [];
  #batchFrom = 0;
  /** True while a publication of the batch is queued for the end of the tick. */
  #scheduled = false;
  #finished = false;

  constructor(opts: TaskLogOptions) {
    this.file = opts.file;
    this.#memoryLines = Math.max(0, Math.floor(opts.memoryLines ?? 5000));
    this.#memoryChars = Math.max(0, Math.floor(opts.memoryChars ?? 16 * 1024 * 1024));
    this.#maxLines = Math.max(0, Math.floor(opts.maxLines ?? 0));
    this.#maxChars = Math.max(0, Math.floor(opts.maxChars ?? 0));
    this.#maxLineLength = Math.max(2, Math.floor(opts.maxLineLength ?? 64 * 1024));
    this.#onBatch = opts.onBatch;
    this.#onError = opts.onError;
  }

  /** Lines with a sequence number so far, notices included. */
  get lineCount(): number {
    return this.#count;
  }

  /** Lines counted but not kept because the cap was reached or the file could not be written. */
  get cutLines(): number {
    return this.#cut;
  }

  /** True once the log went to its file (or tried to): only then is there anything on disk to remove. */
  get onDisk(): boolean {
    return this.#onDisk;
  }

  /** True once `finish()` ran: no line will be added any more. */
  get complete(): boolean {
    return this.#finished;
  }

  /** Appends text; each `\n` or `\r\n` ends a line, and one trailing newline adds no empty line. */
  append(text: string): void {
    if (this.#finished) return;
    const value = String(text);
    const parts = value.includes('\n') ? value.split(/\r?\n/) : [value];
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const part of parts) {
      if (part.length <= this.#maxLineLength) {
        this.#appendLine(part);
        continue;
      }
      for (let at = 0; at < part.length; ) {
        let end = Math.min(at + this.#maxLineLength, part.length);
        if (end < part.length && isHighSurrogate(part.charCodeAt(end - 1))) end--;
        this.#appendLine(part.slice(at, end));
        at = end;
      }
    }
    if (!this.#scheduled && this.#batch.length > 0) {
      this.#scheduled = true;
      atEndOfTick(() => {
        if (this.#scheduled) this.#flush();
      });
    }
  }

  /**
   * Publishes the lines appended so far now rather than on the next tick, so that an event the task
   * publishes next (a result set, a status) is ordered after the log lines written before it.
   */
  flush(): void {
    this.#flush();
  }

  /** Lines [from, from + limit) that exist, from memory when they are still there, else from the file. */
  async read(from: number, limit: number): Promise<TaskLogPage> {
    if (!Number.isInteger(from) || from < 0) throw new BadRequestError(`'from' must be an integer >= 0, got ${from}.`);
    if (!Number.isInteger(limit) || limit < 0) {
      throw new BadRequestError(`'limit' must be an integer >= 0, got ${limit}.`);
    }
    const end = Math.min(this.#count, from + limit);
    const memStart = this.#memoryStart();
    // The memory part is copied before any await: the window may move on while the file is read.
    const memFrom = Math.max(from, memStart);
    const memory =
      memFrom < end ? this.#window.slice(this.#head + memFrom - memStart, this.#head + end - memStart) : [];
    const diskEnd = Math.min(end, memStart);
    let lines = memory;
    if (from < diskEnd) {
      const disk = await this.#readFile(from, diskEnd);
      // Never return a gap: if the file came up short, stop where it ended.
      lines = disk.length === diskEnd - from ? disk.concat(memory) : disk;
    }
    const next = from + lines.length;
    return { lines, from, next, complete: this.#finished && next >= this.#count };
  }

  /** Flushes the pending batch (its `onBatch` runs before this resolves), notes cut lines, ends the log. */
  async finish(): Promise<void> {
    this.end();
  }

  /** `finish()` without a promise: for the end of every task, where an await per task is a cost. */
  end(): void {
    if (this.#finished) return;
    if (this.#cut > 0) this.#push(`[engineconn] ${this.#cut} lines were cut`);
    this.#finished = true;
    this.#flush();
    // No batch comes after the end: the finished task, kept for its retention, keeps neither the
    // callback (a closure over the task) nor an empty batch array of its own.
    this.#onBatch = undefined;
    this.#batch = NO_LINES;
    if (this.#fd !== null || this.#windowChars > RETAINED_CHARS) this.#writeFile();
    // A finished task stays readable for its retention period; past a small size its log is read
    // from the file, so an EngineConn's memory does not grow with every retained task's log.
    if (this.#windowChars > RETAINED_CHARS && this.#written === this.#count) {
      this.#window = [];
      this.#head = 0;
      this.#windowChars = 0;
    } else {
      // Kept in memory for the retention period: in an array of its own length (one grown by push
      // keeps room for 17 lines or more), without the lines before the window.
      this.#window = this.#window.slice(this.#head);
      this.#head = 0;
    }
    this.#closeFd();
  }

  /**
   * Writes the whole log to its file, even a small one that would otherwise live in memory only:
   * for a task ended by a shutdown, whose log must outlive the process. Idempotent.
   */
  async persist(): Promise<void> {
    await this.finish();
    this.#writeFile();
    this.#closeFd();
  }

  /** Finishes the log and releases its file; reads keep working. Idempotent. */
  close(): Promise<void> {
    return this.finish();
  }

  #memoryStart(): number {
    return this.#count - (this.#window.length - this.#head);
  }

  #appendLine(line: string): void {
    if (this.#capped) {
      this.#cut++;
      return;
    }
    if (this.#maxLines > 0 && this.#kept >= this.#maxLines) {
      this.#cap(`log limit of ${this.#maxLines} lines reached`);
      this.#cut++;
      return;
    }
    if (this.#maxChars > 0 && this.#keptChars + line.length > this.#maxChars) {
      this.#cap(`log limit of ${this.#maxChars} characters reached`);
      this.#cut++;
      return;
    }
    this.#kept++;
    this.#keptChars += line.length;
    this.#push(line);
  }

  #cap(reason: string): void {
    this.#capped = true;
    this.#push(`[engineconn] ${reason}: further lines are counted but not kept`);
  }

  #push(line: string): void {
    this.#window.push(line);
    this.#windowChars += line.length;
    if (this.#onBatch) {
      if (this.#batch.length === 0) this.#batchFrom = this.#count;
      this.#batch.push(line);
    }
    this.#count++;
    this.#evict();
  }

  #evict(): void {
    let size = this.#window.length - this.#head;
    while (size > this.#memoryLines || (size > 1 && this.#windowChars > this.#memoryChars)) {
      if (this.#memoryStart() >= this.#written) {
        this.#writeFile();
        // A line the file does not hold stays in memory: it is never dropped.
        if (this.#memoryStart() >= this.#written) break;
      }
      this.#windowChars -= (this.#window[this.#head] as string).length;
      this.#head++;
      size--;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#window.length) {
      this.#window = this.#window.slice(this.#head);
      this.#head = 0;
    }
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#batch.length === 0) return;
    const from = this.#batchFrom;
    const lines = this.#batch;
    this.#batch = [];
    try {
      this.#onBatch?.(from, lines);
    } catch (err) {
      this.#reportError(err);
    }
  }

  /** A throwing `onBatch` or a failing file, to `onError` or else as a process warning. */
  #reportError(err: unknown): void {
    if (this.#onError) this.#onError(err);
    else process.emitWarning(`task log ${this.file}: ${String(err)}`, 'EngineConnWarning');
  }

  /** Writes every line not yet in the file, synchronously, and extends the offset index. */
  #writeFile(): void {
    if (this.#written >= this.#count || this.#writeFailed) return;
    const memStart = this.#memoryStart();
    const first = this.#head + this.#written - memStart;
    const { buf, offsets } = encodeLines(
      this.#window.slice(first, first + this.#count - this.#written),
      this.#written,
      INDEX_EVERY,
    );
    try {
      if (this.#fd === null) {
        this.#onDisk = true;
        mkdirSync(dirname(this.file), { recursive: true });
        this.#fd = openSync(this.file, 'w');
      }
      for (let done = 0; done < buf.length; ) done += writeSync(this.#fd, buf, done, buf.length - done);
    } catch (err) {
      // Bytes of this chunk may have reached the file; the index never points past #writtenBytes.
      this.#writeFailed = true;
      this.#closeFd();
      this.#reportError(err);
      if (!this.#capped) this.#cap(`the log file cannot be written (${(err as Error).message ?? String(err)})`);
      return;
    }
    for (const offset of offsets) this.#index.push(this.#writtenBytes + offset);
    this.#written = this.#count;
    this.#writtenBytes += buf.length;
  }

  #closeFd(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      closeSync(fd);
    } catch (err) {
      this.#reportError(err);
    }
  }

  /** Reads lines [from, to) from the file, starting at the nearest indexed offset before `from`. */
  #readFile(from: number, to: number): Promise<string[]> {
    const block = Math.floor(from / INDEX_EVERY);
    return readLines(this.file, this.#index[block] ?? 0, this.#writtenBytes, from - block * INDEX_EVERY, to - from);
  }
}
