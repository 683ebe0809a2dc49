import { JSON_BYTES } from '../values/json-bytes.js';
import { csvField, type RowFormatter, unterminatedString } from './table-formats.js';

const { NEWLINE, CR, QUOTE, BACKSLASH, COMMA, OPEN_BRACKET: OPEN, OPEN_BRACE: BRACE, LETTER_N: N } = JSON_BYTES;

/**
 * CSV bytes made from stored TABLE lines, without a JS string per line or per cell: for a row of
 * scalars each cell is copied from the stored bytes (a number or boolean as it is, null as nothing,
 * a string without escapes as its bytes, quoted only when it holds a comma, since a JSON string has
 * no raw quote, CR or LF). A string with escapes is parsed, alone; a row holding a list or an object
 * is formatted by `fallback` (the string formatter), so the text is the same either way.
 */
export class CsvLines {
  #out: Buffer = Buffer.alloc(0);
  #at = 0;
  readonly #fallback: RowFormatter;

  constructor(fallback: RowFormatter) {
    this.#fallback = fallback;
  }

  /** The CSV of the whole lines in `src`; returns it (a fresh buffer) and how many bytes it consumed. */
  convert(src: Buffer): { csv: Buffer; used: number } {
    this.#out = Buffer.allocUnsafe(Math.max(1024, src.length + (src.length >> 2)));
    this.#at = 0;
    let start = 0;
    for (let end = src.indexOf(NEWLINE, start); end >= 0; end = src.indexOf(NEWLINE, start)) {
      this.#line(src, start, end);
      start = end + 1;
    }
    return { csv: this.#out.subarray(0, this.#at), used: start };
  }

  #room(more: number): Buffer {
    const need = this.#at + more;
    if (need > this.#out.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#out.length * 2));
      this.#out.copy(grown, 0, 0, this.#at);
      this.#out = grown;
    }
    return this.#out;
  }

  /** Cells are a few bytes: a loop costs less than a call into Buffer.copy for each. */
  #copy(src: Buffer, from: number, to: number): void {
    const out = this.#room(to - from);
    let at = this.#at;
    for (let i = from; i < to; i++) out[at++] = src[i] as number;
    this.#at = at;
  }

  #text(text: string): void {
    this.#room(Buffer.byteLength(text));
    this.#at += this.#out.write(text, this.#at, 'utf8');
  }

  /** One stored line, src[start, end) (a JSON array), as a CSV line with its CRLF. */
  #line(src: Buffer, start: number, end: number): void {
    const mark = this.#at;
    const last = end - 1; // the closing bracket
    let at = start + 1;
    while (at < last) {
      const first = src[at] as number;
      if (first === OPEN || first === BRACE) {
        // A list or an object: the whole row the string way.
        this.#at = mark;
        this.#text(this.#fallback.rows([src.toString('utf8', start, end)]));
        return;
      }
      let next: number;
      if (first === QUOTE) {
        let close = at + 1;
        let escaped = false;
        let comma = false;
        for (;;) {
          // Bounded by the line: an unterminated string (writeRowLines takes an engine's bytes as
          // they are) would otherwise scan past the buffer's end forever and block the process.
          if (close >= last) throw unterminatedString(src.toString('utf8', start, end));
          const byte = src[close] as number;
          if (byte === QUOTE) break;
          if (byte === BACKSLASH) {
            escaped = true;
            close++;
          } else if (byte === COMMA) comma = true;
          close++;
        }
        if (escaped) this.#text(csvField(JSON.parse(src.toString('utf8', at, close + 1))));
        else if (comma || close === at + 1) this.#copy(src, at, close + 1);
        else this.#copy(src, at + 1, close);
        next = close + 1;
      } else {
        next = at + 1;
        while (next < last && src[next] !== COMMA) next++;
        if (!(first === N && next - at === 4)) this.#copy(src, at, next);
      }
      if (next < last) this.#room(1)[this.#at++] = COMMA;
      at = next + 1;
    }
    const out = this.#room(2);
    out[this.#at++] = CR;
    out[this.#at++] = NEWLINE;
  }
}
