import type { Column } from '@engineconn/core';
import { escapeControl } from './terminal-text.js';

const NUMERIC = /INT|DOUBLE|DECIMAL|FLOAT|NUMERIC|REAL|NUMBER|HUGEINT|BIGINT|SERIAL/i;

/** A cell as one line of text: NULL for null, JSON for objects, line breaks and control characters escaped. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return escapeControl(text.replace(/\n/g, '\\n'));
}

/**
 * Prints a TABLE result set as an aligned, psql-style table, page by page. Column widths come from
 * the header and the first page, so memory stays bounded by a page however long the set is; a later
 * longer cell just pushes its row out of line.
 */
export class TableWriter {
  #widths: number[] | null = null;
  #rows = 0;
  readonly #numeric: boolean[];

  constructor(
    private readonly columns: Column[],
    private readonly write: (text: string) => Promise<void> | void,
  ) {
    this.#numeric = columns.map((c) => NUMERIC.test(c.type));
  }

  async page(rows: readonly (readonly unknown[])[]): Promise<void> {
    const cells = rows.map((row) => this.columns.map((_, i) => formatCell(row[i])));
    let out = '';
    if (!this.#widths) {
      this.#widths = this.columns.map((c, i) => Math.max(c.name.length, ...cells.map((r) => (r[i] as string).length)));
      out += `${this.#line(
        this.columns.map((c) => c.name),
        true,
      )}\n`;
      out += `${this.#widths.map((w) => '-'.repeat(w + 2)).join('+')}\n`;
    }
    for (const row of cells) out += `${this.#line(row, false)}\n`;
    this.#rows += rows.length;
    if (out) await this.write(out);
  }

  async end(): Promise<void> {
    if (!this.#widths) await this.page([]);
    await this.write(`(${this.#rows} row${this.#rows === 1 ? '' : 's'})\n`);
  }

  #line(cells: string[], header: boolean): string {
    const widths = this.#widths as number[];
    return cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return ` ${!header && this.#numeric[i] ? cell.padStart(width) : cell.padEnd(width)} `;
      })
      .join('|')
      .trimEnd();
  }
}
