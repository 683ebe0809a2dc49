import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { JobRequestSchema, ResultParamsSchema, TaskParamsSchema } from '@engineconn/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../../http/auth.js';
import { parseInput } from '../../http/parse-input.js';
import { engineFetch, engineJson } from '../jobs/engine-fetch.js';
import type { JobService } from '../jobs/job-service.js';
import type { JobRecord } from '../registry/job-record.js';

/** Headers of an engine's answer a caller needs (content type, download name, the sandbox for HTML/PICTURE). */
const PASSED_HEADERS = ['content-type', 'content-disposition', 'content-security-policy', 'x-content-type-options'];

const queryOf = (request: FastifyRequest): string => {
  const at = request.url.indexOf('?');
  if (at < 0) return '';
  // The caller's token for the manager is not the engine's business.
  const params = new URLSearchParams(request.url.slice(at + 1));
  params.delete('token');
  return params.toString();
};

/** Streams an engine's answer to the caller as it arrives: result downloads, the SSE stream. */
function pipe(reply: FastifyReply, response: Response): FastifyReply {
  reply.code(response.status);
  for (const name of PASSED_HEADERS) {
    const value = response.headers.get(name);
    if (value) reply.header(name, value);
  }
  if (!response.body) return reply.send();
  return reply.send(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>));
}

/**
 * The entrance's job routes (docs/manager.md): as the EngineConn's task routes, through the manager. A
 * job's answer is its task's with `id` the job id, plus `engineId` and `taskId`.
 */
export function registerJobRoutes(app: FastifyInstance, jobs: JobService): void {
  const jobOf = (request: FastifyRequest): JobRecord => {
    const { id } = parseInput(TaskParamsSchema, request.params, 'params');
    return jobs.visible(id, callerOf(request));
  };

  app.post('/api/v1/jobs', async (request, reply) => {
    const body = parseInput(JobRequestSchema, request.body, 'body');
    return reply.code(202).send(await jobs.submit(callerOf(request), body));
  });

  app.get('/api/v1/jobs', async (request) => ({
    jobs: jobs.list(callerOf(request)),
  }));

  app.get('/api/v1/jobs/:id', async (request) => jobs.view(jobOf(request)));

  app.post('/api/v1/jobs/:id/kill', async (request, reply) => reply.code(202).send(await jobs.kill(jobOf(request))));

  app.get('/api/v1/jobs/:id/logs', async (request) => {
    const job = jobOf(request);
    const path = `/api/v1/tasks/${job.taskId}/logs`;
    return engineJson(await engineFetch(jobs.engineOf(job), 'GET', path, { query: queryOf(request) }));
  });

  app.get('/api/v1/jobs/:id/results', async (request) => {
    const job = jobOf(request);
    return engineJson(await engineFetch(jobs.engineOf(job), 'GET', `/api/v1/tasks/${job.taskId}/results`));
  });

  app.get('/api/v1/jobs/:id/results/:index', async (request, reply) => {
    const job = jobOf(request);
    const { index } = parseInput(ResultParamsSchema, { ...(request.params as object), id: job.taskId }, 'params');
    const response = await engineFetch(jobs.engineOf(job), 'GET', `/api/v1/tasks/${job.taskId}/results/${index}`, {
      query: queryOf(request),
    });
    if (!response.ok) return engineJson(response);
    return pipe(reply, response);
  });

  app.get(
    '/api/v1/jobs/:id/events',
    { config: { queryToken: true }, exposeHeadRoute: false },
    async (request, reply) => {
      const job = jobOf(request);
      const lastEventId = request.headers['last-event-id'];
      if (jobs.endedWithoutEngine(job)) {
        const after = Number(
          typeof lastEventId === 'string' ? lastEventId : (request.query as { after?: string }).after,
        );
        return reply
          .type('text/event-stream; charset=utf-8')
          .send(jobs.finalEvents(job, Number.isSafeInteger(after) && after > 0 ? after : 0));
      }
      const abort = new AbortController();
      request.raw.on('close', () => abort.abort());
      const response = await engineFetch(jobs.engineOf(job), 'GET', `/api/v1/tasks/${job.taskId}/events`, {
        query: queryOf(request),
        headers: {
          accept: 'text/event-stream',
          ...(typeof lastEventId === 'string' ? { 'last-event-id': lastEventId } : {}),
        },
        signal: abort.signal,
      });
      if (!response.ok) return engineJson(response);
      reply.header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
      return pipe(reply, response);
    },
  );
}
