import { parseType, valueDecoder } from '@engineconn/client/browser';
import type { Column } from '@engineconn/protocol';

/** The SDK keeps these exact, as strings (see `valueDecoder`), so they are known by their type's name. */
const EXACT_NUMERIC = new Set(['decimal', 'numeric']);

/**
 * Whether a cell of a column of `type` is a number, as the SDK decodes the column (64-bit integers
 * sent as digits included): numbers are right-aligned.
 */
function numericTest(type: string): (cell: unknown) => boolean {
  const node = parseType(type);
  if (node.kind === 'scalar' && EXACT_NUMERIC.has(node.name)) return () => true;
  const decode = valueDecoder(type);
  return (cell) => {
    const value = decode(cell);
    return typeof value === 'number' || typeof value === 'bigint';
  };
}

/** A cell as its wire text, which keeps what a decoded value drops (a timestamp's offset and microseconds, `-0`). */
const cellText = (cell: unknown): string =>
  cell === null ? 'NULL' : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);

/** A page of a TABLE result set as an HTML table; each header names its column's engine type. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly unknown[])[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'result';
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement('th');
    th.textContent = column.name;
    th.title = column.type;
    head.append(th);
  }
  const numeric = columns.map((column) => numericTest(column.type));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((cell, i) => {
      const td = tr.insertCell();
      td.textContent = cellText(cell);
      if (typeof cell === 'number' || numeric[i]?.(cell)) td.className = 'num';
    });
  }
  return table;
}
