import type { Column } from '../computation/task-types.js';
import { JSON_BYTES } from '../values/json-bytes.js';
import { rowCells } from '../values/row-cells.js';

export type TableFormat = 'csv' | 'ndjson';
export const TABLE_FORMATS: readonly TableFormat[] = ['csv', 'ndjson'];

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. null is an empty field and
 * an empty string a quoted empty one, so the two stay apart (as in PostgreSQL's CSV). Objects and
 * arrays are their JSON text.
 */
export function csvField(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (value === '') return '""';
      return NEEDS_QUOTES.test(value) ? quoted(value) : value;
    case 'number':
    case 'boolean':
      return String(value);
  }
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return NEEDS_QUOTES.test(text) ? quoted(text) : text;
}

/** One CSV field from a cell's JSON text: a string its characters, null empty, anything else its JSON. */
function csvCell(text: string): string {
  if (text === 'null') return '';
  return csvField(text.startsWith('"') ? (JSON.parse(text) as string) : text);
}

const { QUOTE, BACKSLASH } = JSON_BYTES;

/**
 * The CSV fields of a stored row that holds scalars only, read off its JSON text instead of parsed:
 * numbers and booleans are copied as they are (JSON.stringify wrote them as String() would), null is
 * empty, and a string without escapes is its own text, quoted only for a comma (a JSON string holds
 * no raw quote, CR or LF). Only a string with escapes is parsed. Three times faster than parsing the
 * row and formatting its values, for the same text.
 */
function csvOfScalars(line: string): string {
  const end = line.length - 1;
  if (end <= 1) return '';
  let out = '';
  for (let at = 1; ; ) {
    let next: number;
    if (line.charCodeAt(at) === QUOTE) {
      let close = line.indexOf('"', at + 1);
      const backslash = line.indexOf('\\', at + 1);
      // An unterminated string would send the scan back to the row's start (or past its end) forever.
      if (close < 0) throw unterminatedString(line);
      if (backslash < 0 || backslash > close) {
        const text = line.slice(at + 1, close);
        out += text === '' ? '""' : text.includes(',') ? `"${text}"` : text;
      } else {
        for (
          close = at + 1;
          close < end && line.charCodeAt(close) !== QUOTE;
          close += line.charCodeAt(close) === BACKSLASH ? 2 : 1
        );
        if (close >= end) throw unterminatedString(line);
        out += csvField(JSON.parse(line.slice(at, close + 1)));
      }
      next = close + 1;
    } else {
      next = line.indexOf(',', at);
      if (next < 0) next = end;
      const token = line.slice(at, next);
      if (token !== 'null') out += token;
    }
    if (next >= end) return out;
    out += ',';
    at = next + 1;
  }
}

/**
 * A stored row whose string never closes: malformed text, as JSON.parse reports it; the stream that
 * read the row names its file (see corruptRows).
 */
export function unterminatedString(line: string): SyntaxError {
  return new SyntaxError(`A stored row holds an unterminated string: ${line.slice(0, 200)}`);
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Turns stored rows (one JSON array per line) into lines of one export format. */
export interface RowFormatter {
  /** Text before the first row (the CSV header), possibly empty. */
  header: string;
  /** The formatted rows, each ending with its line terminator. */
  rows(lines: readonly string[]): string;
}

/** Column names made unique (`a`, `a_2`, …) so NDJSON objects keep every column. */
export function uniqueNames(columns: readonly Column[]): string[] {
  const seen = new Set<string>();
  return columns.map((column) => {
    let name = column.name;
    for (let n = 2; seen.has(name); n++) name = `${column.name}_${n}`;
    seen.add(name);
    return name;
  });
}

export function rowFormatter(format: TableFormat, columns: readonly Column[]): RowFormatter {
  if (format === 'csv') {
    return {
      header: `${columns.map((c) => csvField(c.name)).join(',')}\r\n`,
      rows: (lines) => {
        let out = '';
        for (const line of lines) {
          // Objects keep their text: parsed, their integer-like keys would be reordered.
          out += `${line.includes('{') || line.indexOf('[', 1) >= 0 ? rowCells(line).map(csvCell).join(',') : csvOfScalars(line)}\r\n`;
        }
        return out;
      },
    };
  }
  // `"name":` once per column; a column named __proto__ is a key like any other.
  const keys = uniqueNames(columns).map((name) => `${JSON.stringify(name)}:`);
  return {
    header: '',
    rows: (lines) => {
      let out = '';
      for (const line of lines) {
        const cells = rowCells(line);
        let record = '{';
        for (let i = 0; i < keys.length; i++) record += `${i > 0 ? ',' : ''}${keys[i]}${cells[i] ?? 'null'}`;
        out += `${record}}\n`;
      }
      return out;
    },
  };
}
