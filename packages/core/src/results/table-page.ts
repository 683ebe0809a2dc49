import type { Column } from '../computation/task-types.js';
import { JSON_BYTES } from '../values/json-bytes.js';
import { shortFile } from './corrupt-result.js';
import type { ResultSetFileWriter } from './result-set-file-writer.js';

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
  const span = await readRowsSpan(set, offset, end, maxBytes, 0, 0);
  return { rows: span.buf.subarray(span.start, span.stop), count: span.count };
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
): Promise<{ buf: Buffer; start: number; stop: number; count: number }> {
  if (offset >= end) return emptySpan(before, after);
  const range = set.rowRange(offset, end);
  const length = range.end - range.position;
  // One byte in front for the opening bracket, which replaces the newline before the first row.
  const read = before + 1;
  const buf = Buffer.allocUnsafe(read + length + after);
  const got = await set.readAt(buf, read, length, range.position);
  const stop = read + got;
  let at = read;
  for (let skip = offset - range.row; skip > 0; skip--) {
    const newline = buf.indexOf(NEWLINE, at);
    if (newline < 0 || newline >= stop) throw shortFile(set);
    at = newline + 1;
  }
  const first = at - 1;
  let last = -1;
  let count = 0;
  for (let want = end - offset; count < want; count++) {
    const newline = buf.indexOf(NEWLINE, at);
    if (newline < 0 || newline >= stop) {
      if (count === 0) throw shortFile(set);
      break;
    }
    if (newline - first + 1 > maxBytes) break;
    buf[newline] = COMMA;
    last = newline;
    at = newline + 1;
  }
  if (count === 0) return emptySpan(before, after);
  buf[first] = OPEN;
  buf[last] = CLOSE;
  return { buf, start: first, stop: last + 1, count };
}

function emptySpan(before: number, after: number) {
  const buf = Buffer.allocUnsafe(before + EMPTY.length + after);
  EMPTY.copy(buf, before);
  return { buf, start: before, stop: before + EMPTY.length, count: 0 };
}
