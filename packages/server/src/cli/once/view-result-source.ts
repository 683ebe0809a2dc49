import type { ResultSetMeta, TaskView } from '@engineconn/core';
import type { ResultSource, Rows } from '../output/result-source.js';

/** Rows read per page when printing (the table's column widths come from the first). */
const PAGE = 1000;

/** A TABLE's pages from row 0 until the set's end (or an empty page of a set still being written). */
async function* pages<T>(
  read: (offset: number) => Promise<{ rows: T; next: number | null }>,
  isEmpty: (rows: T) => boolean,
): AsyncGenerator<T> {
  let offset: number | null = 0;
  while (offset !== null) {
    const page = await read(offset);
    yield page.rows;
    if (isEmpty(page.rows)) return;
    offset = page.next;
  }
}

/** `engineconn once` reads its job's result sets in process, from the task's own store. */
export function viewResultSource(view: TaskView): ResultSource {
  const { results } = view;
  return {
    taskId: view.id,
    rows: (meta: ResultSetMeta): AsyncIterable<Rows> =>
      pages(
        async (offset) => results.readRows(meta.index, offset, PAGE),
        (rows) => rows.length === 0,
      ),
    // The stored rows' own text: parsed and written again, a STRUCT's integer-like keys would move.
    rowsJson: (meta) =>
      pages(
        async (offset) => {
          const page = await results.readRowsJson(meta.index, offset, PAGE);
          return { rows: page.rows.toString('utf8').slice(1, -1), next: page.next };
        },
        (rows) => rows === '',
      ),
    text: (meta, tableFormat) => results.stream(meta.index, tableFormat),
    async picture(meta) {
      return { mimeType: meta.mimeType ?? 'application/octet-stream', bytes: await results.readContent(meta.index) };
    },
  };
}
