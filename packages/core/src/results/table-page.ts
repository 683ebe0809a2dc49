import { EngineConnError } from '@engineconn/protocol/constants';
import type { Column } from '../computation/task-types.js';
import { JSON_BYTES } from '../values/json-bytes.js';
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

/** Reads `length` stored bytes from `position` into `buf` at `at`; returns how many there were. */
async function readInto(set: ResultSetFileWriter, buf: Buffer, at: number, position: number, length: number) {
  const memory = set.committedMemory();
  if (memory) return memory.copy(buf, at, position, position + length);
  const handle = await set.openRead();
  try {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buf, at + done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  } finally {
    await handle.close();
  }
}

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
  if (offset >= end) return { rows: EMPTY, count: 0 };
  const range = set.rowRange(offset, end);
  const length = range.end - range.position;
  // One byte in front for the opening bracket, which replaces the newline before the first row.
  const buf = Buffer.allocUnsafe(length + 1);
  const got = await readInto(set, buf, 1, range.position, length);
  const stop = got + 1;
  let at = 1;
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
  if (count === 0) return { rows: EMPTY, count: 0 };
  buf[first] = OPEN;
  buf[last] = CLOSE;
  return { rows: buf.subarray(first, last + 1), count };
}

function shortFile(set: ResultSetFileWriter): EngineConnError {
  return new EngineConnError('EC_INTERNAL', `Result file ${set.file} is shorter than the rows written to it.`);
}
