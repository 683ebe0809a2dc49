import { encodeLines } from '../util/line-file.js';
import { encodeRow, isPlainRow } from '../values/encode-value.js';
import { JSON_BYTES } from '../values/json-bytes.js';

const { OPEN_BRACKET: OPEN, CLOSE_BRACKET: CLOSE, COMMA, QUOTE, BACKSLASH, NEWLINE } = JSON_BYTES;

/**
 * A batch of TABLE rows as they are stored: each row's JSON array (`encodeRow`) on a line of its
 * own, `\n`-terminated UTF-8, with the byte offset of every line whose number (`firstLine + i`) is
 * a multiple of `every` (the sparse seek index).
 *
 * When every row is plain (strings, booleans, nulls, finite numbers, lists of them: what
 * `encodeRow` hands to JSON.stringify anyway) the whole batch is serialised by one JSON.stringify,
 * whose per-call cost is most of a short row's, and the commas between rows become the newlines in
 * place. They are found by one pass over the bytes: outside strings, at the outer array's depth.
 * UTF-8 never puts an ASCII byte inside a multi-byte character, and JSON.stringify escapes every
 * control character and lone surrogate, so the pass only needs to know quotes and backslashes.
 */
export function encodeRowLines(
  rows: readonly (readonly unknown[])[],
  firstLine: number,
  every: number,
): { buf: Buffer; offsets: number[] } {
  if (rows.length === 0) return { buf: Buffer.alloc(0), offsets: [] };
  for (const row of rows) {
    if (!isPlainRow(row)) return encodeLines(rows.map(encodeRow), firstLine, every);
  }
  const all = Buffer.from(JSON.stringify(rows), 'utf8');
  const offsets: number[] = [];
  // Offsets are into the batch without its leading '[': line 0 starts at 0.
  let nextIndexed = (every - (firstLine % every)) % every;
  if (nextIndexed === 0) {
    offsets.push(0);
    nextIndexed += every;
  }
  let line = 0;
  let depth = 0;
  const last = all.length - 1;
  for (let i = 1; i < last; i++) {
    const byte = all[i] as number;
    if (byte === QUOTE) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < last; i++) {
        const inner = all[i] as number;
        if (inner === BACKSLASH) i++;
        else if (inner === QUOTE) break;
      }
    } else if (byte === OPEN) {
      depth++;
    } else if (byte === CLOSE) {
      depth--;
    } else if (byte === COMMA && depth === 0) {
      all[i] = NEWLINE;
      line++;
      if (line === nextIndexed) {
        offsets.push(i);
        nextIndexed += every;
      }
    }
  }
  all[last] = NEWLINE;
  return { buf: all.subarray(1), offsets };
}
