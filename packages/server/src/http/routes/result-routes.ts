import { Readable } from 'node:stream';
import { BadRequestError, EngineConnError } from '@engineconn/core';
import type { FastifyInstance } from 'fastify';
import { parseInput, ResultPageQuerySchema, ResultParamsSchema } from '../schemas.js';

const STREAM_TYPES = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' } as const;

/** Result set listing and paged / streamed reads. */
export function registerResultRoutes(app: FastifyInstance): void {
  const { taskOf } = app.engineConn;

  app.get('/api/v1/tasks/:id/results', async (request) => {
    const view = taskOf(request);
    return { resultSets: view.info().resultSets };
  });

  app.get('/api/v1/tasks/:id/results/:index', async (request, reply) => {
    const view = taskOf(request);
    const { index } = parseInput(ResultParamsSchema, request.params, 'params');
    const { offset, limit, format } = parseInput(ResultPageQuerySchema, request.query, 'query');
    const meta = view.info().resultSets.find((set) => set.index === index);
    if (!meta) {
      throw new EngineConnError('EC_RESULT_NOT_FOUND', `Task '${view.id}' has no result set ${index}.`);
    }
    if (format !== 'json') {
      if (meta.type !== 'TABLE') {
        throw new BadRequestError(`format=${format} applies to TABLE result sets; set ${index} is ${meta.type}.`);
      }
      return reply
        .type(STREAM_TYPES[format])
        .header('content-disposition', `inline; filename="${view.id}-${index}.${format}"`)
        .send(Readable.from(view.results.stream(index, format)));
    }
    switch (meta.type) {
      case 'TABLE': {
        // The stored rows are JSON already: spliced in, not parsed and serialised again.
        const page = await view.results.readRowsJson(index, offset, limit);
        return reply
          .type('application/json; charset=utf-8')
          .send(
            `{"columns":${JSON.stringify(page.columns)},"rows":${page.rows},"offset":${page.offset},"next":${page.next}}`,
          );
      }
      case 'TEXT':
      case 'HTML':
        return { text: (await view.results.readContent(index)).toString('utf8') };
      case 'PICTURE':
        return reply.type(meta.mimeType ?? 'application/octet-stream').send(await view.results.readContent(index));
    }
  });
}
