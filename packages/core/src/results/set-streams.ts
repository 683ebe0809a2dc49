// Streams of a stored set, a chunk at a time, following the set while it is still written: what
// downloads of any size (CSV, NDJSON, raw text, pictures) read, in bounded memory.
import { StringDecoder } from 'node:string_decoder';
import { LineReader } from '../util/line-file.js';
import { corruptRows, shortFile } from './corrupt-result.js';
import { CsvLines } from './csv-lines.js';
import type { ResultSetFileWriter } from './result-set-file-writer.js';
import { type RowFormatter, rowFormatter, type TableFormat } from './table-formats.js';

const STREAM_CHUNK_BYTES = 64 * 1024;

/** A TABLE set as CSV or NDJSON text (header first), following the set while it is written. */
export async function* streamTable(
  set: ResultSetFileWriter,
  format: TableFormat,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  // NDJSON is made as text: a text stream takes it as it is, not through bytes and back.
  if (format !== 'csv') {
    yield* tableText(set, rowFormatter(format, set.columns ?? []), signal);
    return;
  }
  for await (const chunk of streamTableBytes(set, format, signal)) yield chunk.toString('utf8');
}

/** The set's rows as `formatter` writes them, header first, a chunk of whole lines at a time. */
async function* tableText(
  set: ResultSetFileWriter,
  formatter: RowFormatter,
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  if (formatter.header) yield formatter.header;
  const handle = await set.openRead();
  try {
    const reader = new LineReader(handle, 0, STREAM_CHUNK_BYTES);
    for await (const end of committedEnds(set, () => reader.position, signal)) {
      const lines = await reader.read(end);
      if (lines === null) throw shortFile(set);
      const text = formatRows(set, formatter, lines);
      if (text) yield text;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The set as CSV or NDJSON bytes, a chunk of whole lines at a time (so no chunk splits a
 * character). CSV is made from the stored bytes (CsvLines); NDJSON from the stored lines as text.
 */
export async function* streamTableBytes(
  set: ResultSetFileWriter,
  format: TableFormat,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const formatter = rowFormatter(format, set.columns ?? []);
  if (format !== 'csv') {
    for await (const text of tableText(set, formatter, signal)) yield Buffer.from(text, 'utf8');
    return;
  }
  if (formatter.header) yield Buffer.from(formatter.header, 'utf8');
  const handle = await set.openRead();
  try {
    const csv = new CsvLines(formatter);
    let position = 0;
    // The input, reused: what a chunk converts is copied out. `carry` bytes of a line cut at the
    // end of the previous read lead it.
    let input = Buffer.allocUnsafe(STREAM_CHUNK_BYTES);
    let carry = 0;
    for await (const end of committedEnds(set, () => position, signal)) {
      const want = Math.min(STREAM_CHUNK_BYTES, end - position);
      if (carry + want > input.length) {
        const grown = Buffer.allocUnsafe(carry + want);
        input.copy(grown, 0, 0, carry);
        input = grown;
      }
      const { bytesRead } = await handle.read(input, carry, want, position);
      if (bytesRead === 0) throw shortFile(set);
      position += bytesRead;
      const { csv: out, used } = convertCsv(set, csv, input.subarray(0, carry + bytesRead));
      carry = carry + bytesRead - used;
      input.copy(input, 0, used, used + carry);
      if (out.length > 0) yield out;
    }
  } finally {
    await handle.close();
  }
}

/** A TEXT or HTML set's content as text, never splitting a character across chunks. */
export async function* streamContent(set: ResultSetFileWriter, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of streamBytes(set, signal)) {
    const text = decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** A set's stored bytes, a fresh buffer per chunk, following the set while it is written. */
export async function* streamBytes(set: ResultSetFileWriter, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let position = 0;
  const handle = await set.openRead();
  try {
    for await (const end of committedEnds(set, () => position, signal)) {
      // A fresh buffer per chunk: the consumer may still hold the previous one (a socket write).
      const buf = Buffer.allocUnsafe(Math.min(STREAM_CHUNK_BYTES, end - position));
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      if (bytesRead === 0) throw shortFile(set);
      position += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Yields the set's committed size whenever the reader (at `position()`) is behind it, waiting while
 * the set is still open, until the set is complete and read to its end. When `signal` aborts, the
 * wait ends at once with the signal's reason: a generator cannot be returned from while it awaits,
 * so without this a reader that went away would hold its stream's file handle until the set next
 * changed, however long the engine took.
 */
async function* committedEnds(
  set: ResultSetFileWriter,
  position: () => number,
  signal: AbortSignal | undefined,
): AsyncGenerator<number> {
  for (;;) {
    signal?.throwIfAborted();
    // `complete` before `committedBytes`: once complete, the committed size is final.
    const complete = set.complete;
    const end = set.committedBytes;
    if (position() < end) yield end;
    else if (complete) return;
    else await set.changed(signal);
  }
}

/** Stored lines as `formatter` writes them; a malformed one is the file's damage, not a fault here. */
function formatRows(set: ResultSetFileWriter, formatter: RowFormatter, lines: readonly string[]): string {
  try {
    return formatter.rows(lines);
  } catch (err) {
    throw corruptRows(set, err);
  }
}

function convertCsv(set: ResultSetFileWriter, csv: CsvLines, input: Buffer): { csv: Buffer; used: number } {
  try {
    return csv.convert(input);
  } catch (err) {
    throw corruptRows(set, err);
  }
}
