import {
  columnsJson,
  jsonString,
  type ResultSetMeta,
  type RowsJsonPage,
  type TaskView,
  taskInfoJsonHead,
} from '@engineconn/core';
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
  // A caller gone while the request was authenticated left the answer closed already: no 'close'
  // comes, and holding the task as followed for the whole wait would keep it from its watchdog.
  if (ms <= 0 || reply.raw.destroyed) return Promise.resolve(false);
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
 * Stored rows from this many bytes on make the answer one Buffer: the rows are then copied once,
 * instead of decoded into a string, measured (content-length) and encoded again for the socket
 * (1,000 rows of about 14 bytes, the answer and those two steps: 95-97 µs as a string, 76-82 µs
 * as a Buffer). Smaller answers stay one string, which Node writes in one piece with the response
 * head: around 1-3 KB the two ways cost the same, and a `select 1` answer is about 600 bytes.
 */
export const BUFFER_ROWS_BYTES = 8 * 1024;

/** The answer's parts in order: JSON text, and stored rows as they are. */
type Part = string | Buffer;

/**
 * The 200 answer of a one-request task: the task as `GET /api/v1/tasks/:id` shows it plus `results`,
 * the first page of each result set (`{index, type, columns, rows, offset, next}` for TABLE,
 * `{index, type, text, offset, next}` for TEXT / HTML, `{index, type, mimeType, offset, next: 0}` for
 * PICTURE, whose bytes are fetched from the result route). Stored rows are JSON already, so the answer
 * is spliced from them rather than parsed and serialised again: a string, or a Buffer once the rows
 * reach BUFFER_ROWS_BYTES.
 */
export async function oneRequestAnswer(view: TaskView): Promise<string | Buffer> {
  const info = view.info();
  const parts: Part[] = [`${taskInfoJsonHead(info)},"results":[`];
  let budget = INLINE_BYTES;
  let rowBytes = 0;
  // Plain loops, not entries()/spread/reduce/map: for a trivial task the answer's own assembly was
  // a quarter of its time.
  const sets = info.resultSets;
  for (let i = 0; i < sets.length; i++) {
    if (i > 0) parts.push(',');
    const meta = sets[i] as ResultSetMeta;
    const page = inlinePageNow(view, meta, budget) ?? (await inlinePage(view, meta, budget));
    budget = Math.max(0, budget - page.bytes);
    for (const part of page.parts) {
      if (typeof part !== 'string') rowBytes += part.length;
      parts.push(part);
    }
  }
  parts.push(']}');
  if (rowBytes >= BUFFER_ROWS_BYTES) {
    return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
  }
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as Part;
    if (typeof part !== 'string') parts[i] = part.toString('utf8');
  }
  return parts.join('');
}

type InlinePage = { parts: Part[]; bytes: number };

function tablePage(head: string, page: RowsJsonPage): InlinePage {
  return {
    parts: [`${head},"columns":${columnsJson(page.columns)},"rows":`, page.rows, `,"offset":0,"next":${page.next}}`],
    bytes: page.rows.length,
  };
}

/**
 * The inline page in the same turn when it needs no read from a file: a TABLE set held in memory
 * (every small result) or a PICTURE; null for the others. A trivial task's answer then makes no
 * promise per set (each await was a promise and a microtask turn, several per page).
 */
function inlinePageNow(view: TaskView, meta: ResultSetMeta, budget: number): InlinePage | null {
  const head = `{"index":${meta.index},"type":"${meta.type}"`;
  if (meta.type === 'PICTURE') return picturePage(meta, head);
  if (meta.type !== 'TABLE') return null;
  const page = view.results.readRowsJsonNow(meta.index, 0, INLINE_ROWS, budget);
  return page ? tablePage(head, page) : null;
}

function picturePage(meta: ResultSetMeta, head: string): InlinePage {
  return { parts: [`${head},"mimeType":${jsonString(meta.mimeType ?? '')},"offset":0,"next":0}`], bytes: 0 };
}

async function inlinePage(view: TaskView, meta: ResultSetMeta, budget: number): Promise<InlinePage> {
  const head = `{"index":${meta.index},"type":"${meta.type}"`;
  switch (meta.type) {
    case 'TABLE':
      return tablePage(head, await view.results.readRowsJson(meta.index, 0, INLINE_ROWS, budget));
    case 'TEXT':
    case 'HTML': {
      const page = await view.results.readText(meta.index, 0, budget);
      const bytes = Buffer.byteLength(page.text, 'utf8');
      return { parts: [`${head},"text":${JSON.stringify(page.text)},"offset":0,"next":${page.next}}`], bytes };
    }
    case 'PICTURE':
      return picturePage(meta, head);
  }
}
