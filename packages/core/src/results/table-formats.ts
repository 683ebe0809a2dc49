import type { Column } from '../computation/task-types.js';
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
          const fields = line.includes('{')
            ? rowCells(line).map(csvCell)
            : (JSON.parse(line) as unknown[]).map(csvField);
          out += `${fields.join(',')}\r\n`;
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
