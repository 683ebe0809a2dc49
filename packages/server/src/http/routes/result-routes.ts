import { Readable } from 'node:stream';
import { BadRequestError, EngineConnError, type TaskView } from '@engineconn/core';
import { MAX_PAGE_LIMIT, ResultPageQuerySchema, ResultParamsSchema, ResultSetListSchema } from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { answerClosed } from '../answer-closed.js';
import { TASK_BY_ID } from '../context.js';
import { defineRoute, ref } from '../openapi/api-route.js';
import { parseInput, parseWait } from '../parse-input.js';

const DEFAULT_PAGE_ROWS = 1000;

/**
 * Waits up to `ms` for set `index` to hold `rows` rows or be complete (TaskResults.awaitRows), and
 * no longer than the caller stays connected (`gone`).
 */
async function awaitPage(view: TaskView, index: number, rows: number, ms: number, gone: AbortSignal) {
  if (gone.aborted) return;
  const stop = new AbortController();
  const abort = () => stop.abort();
  // A timer cleared when the wait ends, not AbortSignal.timeout: that one lives out the whole wait.
  const timer = setTimeout(abort, ms);
  timer.unref();
  gone.addEventListener('abort', abort, { once: true });
  try {
    await view.results.awaitRows(index, rows, stop.signal);
  } finally {
    clearTimeout(timer);
    gone.removeEventListener('abort', abort);
  }
}

function checkTableLimit(rows: number): void {
  if (rows > MAX_PAGE_LIMIT) {
    throw new BadRequestError(`Invalid query: 'limit' must be at most ${MAX_PAGE_LIMIT} rows for a TABLE.`);
  }
}

const STREAM_TYPES = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' } as const;
const RAW_TYPES = { TEXT: 'text/plain; charset=utf-8', HTML: 'text/html; charset=utf-8' } as const;

const listResultsRoute = defineRoute({
  tag: 'results',
  summary: 'The result sets of the task',
  ...TASK_BY_ID,
  answers: { 200: { description: 'Result set metadata', schema: ResultSetListSchema } },
});

export const readResultRoute = defineRoute({
  tag: 'results',
  summary: 'A page of a TABLE set, a page of a TEXT/HTML set, or the bytes of a PICTURE',
  description: [
    'TABLE pages count rows; TEXT and HTML pages count UTF-8 bytes (default and at most 1 MiB) and never split a character: follow `next` until it is null.',
    'With `format=csv` or `format=ndjson` a TABLE set is streamed whole, with `format=raw` a TEXT or HTML set (offset and limit are ignored).',
    'With `wait` a TABLE page is read while the task still writes the set: the answer waits (up to `wait`) until the set exists and holds the whole page, or is complete, or the task ended without it (404). A page of a set still open may then be short or empty; its `next` says where to ask again.',
  ].join('\n\n'),
  params: ResultParamsSchema,
  query: ResultPageQuerySchema,
  answers: {
    200: {
      description:
        'RowsPage (TABLE), TextResult (TEXT, HTML), the image (PICTURE), or the whole set as CSV / NDJSON / raw text',
      media: {
        'application/json': { schema: { oneOf: [ref('RowsPage'), ref('TextResult')] } },
        'text/csv': { schema: { type: 'string' } },
        'application/x-ndjson': { schema: { type: 'string' } },
        'text/plain': { schema: { type: 'string' } },
        'text/html': { schema: { type: 'string' } },
        'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } },
      },
    },
  },
  errors: ['EC_TASK_NOT_FOUND', 'EC_RESULT_NOT_FOUND'],
});

/**
 * Result set listing and paged / streamed reads. Nothing here holds a whole set in memory: TABLE
 * and TEXT/HTML are read a page at a time, and downloads (csv, ndjson, raw, PICTURE) stream.
 */
export function registerResultRoutes(app: FastifyInstance): void {
  const { taskOf } = app.engineConn;

  app.get('/api/v1/tasks/:id/results', { config: { api: listResultsRoute } }, async (request) => {
    const view = taskOf(request);
    return { resultSets: view.info().resultSets };
  });

  app.get('/api/v1/tasks/:id/results/:index', { config: { api: readResultRoute } }, async (request, reply) => {
    // Task output opened directly (an SVG picture, an HTML page) must never run as this origin.
    reply.header('content-security-policy', 'sandbox');
    const view = taskOf(request);
    const { index } = parseInput(readResultRoute.params, request.params, 'params');
    const { offset, limit, format, wait } = parseInput(readResultRoute.query, request.query, 'query');
    const waitMs = parseWait(wait);
    // A follower's page waits for its rows (or the set, or its end); other reads never wait. `wait`
    // follows TABLE sets, so a set not there yet is taken for one: a limit no TABLE page can have is
    // refused before the wait, not once it ran out.
    if (waitMs > 0 && format === 'json') {
      if ((view.results.get(index)?.type ?? 'TABLE') === 'TABLE') checkTableLimit(limit ?? DEFAULT_PAGE_ROWS);
      await awaitPage(view, index, offset + (limit ?? DEFAULT_PAGE_ROWS), waitMs, answerClosed(reply));
    }
    // The one set's metadata, not the whole task's info: a caller walking pages asks for it per page.
    const meta = view.results.get(index);
    if (!meta) {
      throw new EngineConnError('EC_RESULT_NOT_FOUND', `Task '${view.id}' has no result set ${index}.`);
    }
    const file = (ext: string) => `inline; filename="${view.id}-${index}.${ext}"`;
    if (format === 'csv' || format === 'ndjson') {
      if (meta.type !== 'TABLE') {
        throw new BadRequestError(`format=${format} applies to TABLE result sets; set ${index} is ${meta.type}.`);
      }
      return reply
        .type(STREAM_TYPES[format])
        .header('content-disposition', file(format))
        .send(Readable.from(view.results.streamTableBytes(index, format, answerClosed(reply))));
    }
    if (format === 'raw') {
      if (meta.type !== 'TEXT' && meta.type !== 'HTML') {
        throw new BadRequestError(`format=raw applies to TEXT and HTML result sets; set ${index} is ${meta.type}.`);
      }
      return reply
        .type(RAW_TYPES[meta.type])
        .header('content-disposition', file(meta.type === 'HTML' ? 'html' : 'txt'))
        .send(Readable.from(view.results.streamBytes(index, answerClosed(reply))));
    }
    switch (meta.type) {
      case 'TABLE': {
        const rows = limit ?? DEFAULT_PAGE_ROWS;
        checkTableLimit(rows);
        // The stored rows are JSON already: their bytes are spliced in, not parsed and serialised
        // again, and the answer is the one buffer they were read into.
        return reply
          .type('application/json; charset=utf-8')
          .send(await view.results.readRowsPageJson(index, offset, rows));
      }
      case 'TEXT':
      case 'HTML':
        return view.results.readText(index, offset, limit);
      case 'PICTURE':
        return reply
          .type(meta.mimeType ?? 'application/octet-stream')
          .send(Readable.from(view.results.streamBytes(index, answerClosed(reply))));
    }
  });
}
