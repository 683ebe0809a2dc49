import type { ResultSetMeta, TaskView } from '@engineconn/core';
import type { FastifyReply } from 'fastify';

/** Rows of a TABLE's inline first page, as a `GET …/results/:index` page without `limit`. */
export const INLINE_ROWS = 1000;
/**
 * UTF-8 bytes of inline results in one answer, all sets together: a script of many statements
 * cannot make one answer unbounded. A set reached once it is spent gets an empty page and `next: 0`.
 */
export const INLINE_BYTES = 1024 * 1024;

/**
 * Resolves true once the task has ended (results and log complete, `done` published), false when
 * `ms` pass first or the caller hangs up. While it waits the task counts as followed, so a caller
 * timeout shorter than the wait does not kill a task whose caller is right there.
 */
export function awaitEnd(view: TaskView, ms: number, reply: FastifyReply): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const release = view.journal.hold();
    const settle = (ended: boolean) => {
      clearTimeout(timer);
      reply.raw.off('close', gone);
      release();
      resolve(ended);
    };
    const gone = () => settle(false);
    const timer = setTimeout(gone, ms);
    timer.unref();
    reply.raw.once('close', gone);
    void view.ended.then(() => settle(true));
  });
}

/**
 * The 200 answer of a one-request task: the task as `GET /api/v1/tasks/:id` shows it plus `results`,
 * the first page of each result set (`{index, type, columns, rows, offset, next}` for TABLE,
 * `{index, type, text, offset, next}` for TEXT / HTML, `{index, type, mimeType, offset, next: 0}` for
 * PICTURE, whose bytes are fetched from the result route). Stored rows are JSON already, so the answer
 * is spliced from them rather than parsed and serialised again.
 */
export async function oneRequestAnswer(view: TaskView): Promise<string> {
  const info = view.info();
  const pages: string[] = [];
  let budget = INLINE_BYTES;
  for (const meta of info.resultSets) {
    const page = await inlinePage(view, meta, budget);
    budget = Math.max(0, budget - page.bytes);
    pages.push(page.json);
  }
  const task = JSON.stringify(info);
  return `${task.slice(0, -1)},"results":[${pages.join(',')}]}`;
}

async function inlinePage(
  view: TaskView,
  meta: ResultSetMeta,
  budget: number,
): Promise<{ json: string; bytes: number }> {
  const head = `{"index":${meta.index},"type":"${meta.type}"`;
  switch (meta.type) {
    case 'TABLE': {
      const page = await view.results.readRowsJson(meta.index, 0, INLINE_ROWS, budget);
      const rows = page.rows.toString('utf8');
      return {
        json: `${head},"columns":${JSON.stringify(page.columns)},"rows":${rows},"offset":0,"next":${page.next}}`,
        bytes: page.rows.length,
      };
    }
    case 'TEXT':
    case 'HTML': {
      const page = await view.results.readText(meta.index, 0, budget);
      const bytes = Buffer.byteLength(page.text, 'utf8');
      return { json: `${head},"text":${JSON.stringify(page.text)},"offset":0,"next":${page.next}}`, bytes };
    }
    case 'PICTURE':
      return { json: `${head},"mimeType":${JSON.stringify(meta.mimeType ?? '')},"offset":0,"next":0}`, bytes: 0 };
  }
}
