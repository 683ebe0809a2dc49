import type { Column } from '../computation/task-types.js';
import { JSON_BYTES } from '../values/json-bytes.js';
import { damagedRow, shortFile } from './corrupt-result.js';
import type { ResultSetFileWriter, RowRange } from './result-set-file-writer.js';

const { NEWLINE, COMMA, OPEN_BRACKET: OPEN, CLOSE_BRACKET: CLOSE } = JSON_BYTES;
const EMPTY = Buffer.from('[]');

/** A TABLE page whose rows are the UTF-8 JSON text of an array of rows. */
export interface RowsJsonPage {
  columns: Column[];
  rows: Buffer;
  offset: number;
  /** The offset of the next page, or null when the set is complete and this page reached its end. */
  next: number | null;
}

/** Room left after a page's rows for its tail, `,"offset":N,"next":M}` (two safe integers: 51 bytes). */
const TAIL_ROOM = 64;

/**
 * Rows [offset, end) of a TABLE set as the JSON text of an array, made from the stored bytes
 * themselves: the stored lines are JSON arrays already, so a page is the byte range that holds them
 * with each newline turned into a comma and brackets around. Nothing is decoded, split, joined or
 * encoded again; the sparse row index bounds the range read to the page and at most one index block
 * on either side. With `maxBytes`, the page stops before the row that would take it past that size.
 */
export async function readRowsJsonPage(
  set: ResultSetFileWriter,
  offset: number,
  end: number,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ rows: Buffer; count: number }> {
  return spanRows(await readRowsSpan(set, offset, end, maxBytes, 0, 0));
}

/**
 * A whole RowsPage answer as JSON, `{"columns":…,"rows":[…],"offset":N,"next":M}`, in the one
 * buffer the rows were read into: `head` goes in the room left in front of them and the tail after,
 * so serving a page copies its bytes once (the read) and sends one buffer with its length known.
 */
export async function rowsPageJson(
  set: ResultSetFileWriter,
  offset: number,
  end: number,
  head: Buffer,
  tail: (count: number) => string,
): Promise<{ json: Buffer; count: number }> {
  const span = await readRowsSpan(set, offset, end, Number.POSITIVE_INFINITY, head.length, TAIL_ROOM);
  const from = span.start - head.length;
  head.copy(span.buf, from);
  const stop = span.stop + span.buf.write(tail(span.count), span.stop, 'latin1');
  return { json: span.buf.subarray(from, stop), count: span.count };
}

/**
 * readRowsJsonPage without a promise, for a set held in memory: null once it is in its file. A
 * one-request answer reads a small finished task's first page this way, in the same turn.
 */
export function readRowsJsonPageNow(
  set: ResultSetFileWriter,
  offset: number,
  end: number,
  maxBytes = Number.POSITIVE_INFINITY,
): { rows: Buffer; count: number } | null {
  const memory = set.memoryBytes();
  if (!memory) return null;
  if (offset >= end) return spanRows(emptySpan(0, 0));
  const range = set.rowRange(offset, end);
  const { buf, read } = spanBuffer(range, 0, 0);
  const got = memory.copy(buf, read, range.position, Math.min(memory.length, range.end));
  return spanRows(rowsSpan(set, buf, read, got, range, offset, end, maxBytes));
}

function spanRows(span: Span): { rows: Buffer; count: number } {
  return { rows: span.buf.subarray(span.start, span.stop), count: span.count };
}

interface Span {
  buf: Buffer;
  start: number;
  stop: number;
  count: number;
}

/** A buffer for the bytes of `range`, with `before` bytes free in front (one more for the bracket) and `after` after. */
function spanBuffer(range: { position: number; end: number }, before: number, after: number) {
  // One byte in front for the opening bracket, which replaces the newline before the first row.
  const read = before + 1;
  return { buf: Buffer.allocUnsafe(read + range.end - range.position + after), read };
}

/**
 * The rows' JSON array at [start, stop) of `buf`, with at least `before` bytes free in front of it
 * and `after` bytes after it.
 */
async function readRowsSpan(
  set: ResultSetFileWriter,
  offset: number,
  end: number,
  maxBytes: number,
  before: number,
  after: number,
): Promise<Span> {
  if (offset >= end) return emptySpan(before, after);
  const range = set.rowRange(offset, end);
  const { buf, read } = spanBuffer(range, before, after);
  const got = await set.readAt(buf, read, range.end - range.position, range.position);
  return rowsSpan(set, buf, read, got, range, offset, end, maxBytes);
}

/**
 * Turns the stored lines read into `buf` at `read` (`got` bytes of `range`, which starts and ends
 * on rows the index or the commit put there) into the JSON array of rows [offset, end), in place.
 *
 * The rows are not parsed, so every line read is checked as it is found, at two byte compares: it
 * must start and end as a stored row does (`[` … `]`), and the bytes read must be exactly the lines
 * of the range's rows. Bytes inserted, lost or overwritten across a row's boundary, a region zeroed
 * by a failing disk, a file cut short: each moves a boundary or a newline, and the page is
 * EC_RESULT_CORRUPT instead of a 200 with invalid JSON or another row's values. A change inside a
 * row that keeps its length, brackets and newline (a digit, a quote) is left to the readers that
 * parse (`readRows`, the CSV and NDJSON streams).
 */
function rowsSpan(
  set: ResultSetFileWriter,
  buf: Buffer,
  read: number,
  got: number,
  range: RowRange,
  offset: number,
  end: number,
  maxBytes: number,
): Span {
  // The room the caller left around the bytes read, kept for a page that turns out empty.
  const before = read - 1;
  const after = buf.length - read - got;
  const stop = read + got;
  let at = read;
  let line = range.row;
  let newline = 0;
  // Three runs over the range's lines, each with the two compares and nothing else: the rows
  // before the page, the page's, and the rest of the range.
  for (; line < offset; line++) {
    newline = buf.indexOf(NEWLINE, at);
    if (newline < 0 || newline >= stop) break;
    if (buf[at] !== OPEN || buf[newline - 1] !== CLOSE) throw damagedRow(set, line);
    at = newline + 1;
  }
  const first = at - 1;
  let last = -1;
  for (; line < end; line++) {
    newline = buf.indexOf(NEWLINE, at);
    if (newline < 0 || newline >= stop) break;
    if (buf[at] !== OPEN || buf[newline - 1] !== CLOSE) throw damagedRow(set, line);
    if (newline - first + 1 > maxBytes) break;
    buf[newline] = COMMA;
    last = newline;
    at = newline + 1;
  }
  const count = line >= offset ? line - offset : 0;
  for (; line < range.endRow; line++) {
    newline = buf.indexOf(NEWLINE, at);
    if (newline < 0 || newline >= stop) break;
    if (buf[at] !== OPEN || buf[newline - 1] !== CLOSE) throw damagedRow(set, line);
    at = newline + 1;
  }
  // A range cut short is a file shorter than its commits, or lines that no longer come out even
  // with its rows: one lost or split before the page's end shows only at the range's end.
  if (line < range.endRow) throw got < range.end - range.position ? shortFile(set) : damagedRow(set, line);
  if (at !== stop) throw damagedRow(set, range.endRow);
  if (count === 0) return emptySpan(before, after);
  buf[first] = OPEN;
  buf[last] = CLOSE;
  return { buf, start: first, stop: last + 1, count };
}

function emptySpan(before: number, after: number): Span {
  const buf = Buffer.allocUnsafe(before + EMPTY.length + after);
  EMPTY.copy(buf, before);
  return { buf, start: before, stop: before + EMPTY.length, count: 0 };
}
