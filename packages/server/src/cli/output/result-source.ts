import type { EngineConnClient, InlineResult } from '@engineconn/client';
import type { ResultSetMeta } from '@engineconn/core';

/** A page of TABLE rows, as the printers take them. */
export type Rows = readonly (readonly unknown[])[];

/**
 * Where a task's result sets are read from: over HTTP (`submit`, `results`) or in process, from the
 * task's own store (`once`). The printers read through this alone, so every command prints a set
 * the same way.
 */
export interface ResultSource {
  readonly taskId: string;
  /** A TABLE's rows, a page at a time. */
  rows(meta: ResultSetMeta): AsyncIterable<Rows>;
  /** A TABLE's rows as JSON text, a page at a time: the page's row arrays joined by commas. */
  rowsJson(meta: ResultSetMeta): AsyncIterable<string>;
  /** A whole TABLE as `csv` or `ndjson`, or a TEXT / HTML set's text, as it is read. */
  text(meta: ResultSetMeta, tableFormat: 'csv' | 'ndjson'): AsyncIterable<string>;
  /** A PICTURE's bytes. */
  picture(meta: ResultSetMeta): Promise<{ mimeType: string; bytes: Uint8Array }>;
}

/**
 * A task's result sets read from an EngineConn (or a manager's job) over HTTP. `inline` holds the
 * first pages a one-request answer carried: what they hold is not fetched again.
 */
export function clientResultSource(
  client: EngineConnClient,
  taskId: string,
  inline: readonly InlineResult[] = [],
): ResultSource {
  const firstPage = (meta: ResultSetMeta) => inline.find((page) => page.index === meta.index);
  async function* rows(meta: ResultSetMeta): AsyncGenerator<Rows> {
    const first = firstPage(meta);
    if (!first?.rows) {
      for await (const page of client.resultPages(taskId, meta.index)) yield page.rows;
      return;
    }
    yield first.rows;
    if (first.next === null) return;
    for await (const page of client.resultPages(taskId, meta.index, { offset: first.next })) yield page.rows;
  }
  return {
    taskId,
    rows,
    async *rowsJson(meta) {
      for await (const page of rows(meta)) yield page.map((row) => JSON.stringify(row)).join(',');
    },
    async *text(meta, tableFormat) {
      if (meta.type === 'TABLE') {
        yield* client.streamResult(taskId, meta.index, tableFormat);
        return;
      }
      const first = firstPage(meta);
      // Streamed from the server (`format=raw`) unless the first page was all of it: bounded memory.
      if (first?.text !== undefined && first.next === null) yield first.text;
      else yield* client.streamResult(taskId, meta.index, 'raw');
    },
    async picture(meta) {
      const page = await client.resultPage(taskId, meta.index);
      if (page.kind !== 'binary') throw new TypeError(`Result set ${meta.index} of task ${taskId} is not a PICTURE.`);
      return { mimeType: page.mimeType, bytes: page.bytes };
    },
  };
}
