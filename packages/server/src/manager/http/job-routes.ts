import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  LogPageSchema,
  LogsQuerySchema,
  ResultSetListSchema,
  TaskParamsSchema,
  TaskRefSchema,
} from '@engineconn/protocol';
import { JobListSchema, JobRefSchema, JobRequestSchema, JobViewSchema } from '@engineconn/protocol/manager';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerClosed } from '../../http/answer-closed.js';
import { callerOf } from '../../http/auth.js';
import { defineRoute } from '../../http/openapi/api-route.js';
import { parseInput } from '../../http/parse-input.js';
import { readResultRoute } from '../../http/routes/result-routes.js';
import { taskEventsRoute } from '../../http/sse.js';
import { engineJson } from '../jobs/engine-fetch.js';
import type { JobService } from '../jobs/job-service.js';
import type { JobRecord } from '../registry/job-record.js';
import { ASK_ERRORS } from './engine-routes.js';

/**
 * What every route of a job can answer besides its own: no such job (or another user's, or one whose
 * engine was released), and an engine that does not answer (a 503 clients retry: the watcher is
 * about to call it Lost, and the retry finds the job's final answer).
 */
const JOB_ERRORS = ['EC_JOB_NOT_FOUND', 'EC_UNREACHABLE'] as const;
/** A route that reads from the engine and has no final answer of its own to give once it is Lost. */
const LIVE_JOB_ERRORS = [...JOB_ERRORS, 'EC_ENGINE_LOST'] as const;

/**
 * The declaration of a route on one job, as `jobOf` finds it: the `:id` param and the job's errors.
 * Spread into its `defineRoute`; LIVE_JOB_BY_ID for a route that only the engine can answer.
 */
const JOB_BY_ID = { params: TaskParamsSchema, errors: JOB_ERRORS } as const;
const LIVE_JOB_BY_ID = { ...JOB_BY_ID, errors: LIVE_JOB_ERRORS } as const;

const submitJobRoute = defineRoute({
  tag: 'jobs',
  summary: 'Ask for an engine and submit the code to it, in one call',
  body: JobRequestSchema,
  answers: { 202: { description: 'Submitted; follow it with the events stream', schema: JobRefSchema } },
  errors: [...ASK_ERRORS, 'EC_UNREACHABLE'],
});

const listJobsRoute = defineRoute({
  tag: 'jobs',
  summary: 'Your jobs (all jobs for admins), newest first',
  answers: { 200: { description: 'The jobs', schema: JobListSchema } },
  errors: [],
});

const getJobRoute = defineRoute({
  tag: 'jobs',
  summary: "One job: its task's answer with `id` the job's, plus `engineId` and `taskId`",
  ...JOB_BY_ID,
  answers: { 200: { description: 'The job', schema: JobViewSchema } },
});

const killJobRoute = defineRoute({
  tag: 'jobs',
  summary: "Kill the job's task (idempotent)",
  ...LIVE_JOB_BY_ID,
  answers: { 202: { description: 'Kill started', schema: TaskRefSchema } },
});

const jobLogsRoute = defineRoute({
  tag: 'jobs',
  summary: "A page of the job's log",
  ...LIVE_JOB_BY_ID,
  query: LogsQuerySchema,
  answers: { 200: { description: 'Log lines [from, next)', schema: LogPageSchema } },
});

const jobResultsRoute = defineRoute({
  tag: 'jobs',
  summary: "The job's result sets",
  ...LIVE_JOB_BY_ID,
  answers: { 200: { description: 'Result set metadata', schema: ResultSetListSchema } },
});

const readJobResultRoute = defineRoute({
  ...readResultRoute,
  tag: 'jobs',
  summary: `${readResultRoute.summary}, from the job's engine`,
  errors: [...LIVE_JOB_ERRORS, 'EC_RESULT_NOT_FOUND'],
});

const jobEventsRoute = defineRoute({
  ...taskEventsRoute,
  tag: 'jobs',
  summary: "The job's task events as Server-Sent Events; once its engine is gone, the job's end",
  errors: JOB_ERRORS,
});

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
    const { id } = parseInput(JOB_BY_ID.params, request.params, 'params');
    return jobs.visible(id, callerOf(request));
  };

  app.post('/api/v1/jobs', { config: { api: submitJobRoute } }, async (request, reply) => {
    const body = parseInput(submitJobRoute.body, request.body, 'body');
    return reply.code(202).send(await jobs.submit(callerOf(request), body));
  });

  app.get('/api/v1/jobs', { config: { api: listJobsRoute } }, async (request) => ({
    jobs: jobs.list(callerOf(request)),
  }));

  app.get('/api/v1/jobs/:id', { config: { api: getJobRoute } }, async (request) => jobs.view(jobOf(request)));

  app.post('/api/v1/jobs/:id/kill', { config: { api: killJobRoute } }, async (request, reply) =>
    reply.code(202).send(await jobs.kill(jobOf(request))),
  );

  app.get('/api/v1/jobs/:id/logs', { config: { api: jobLogsRoute } }, async (request) => {
    const job = jobOf(request);
    // Refused here as the engine would, before a round trip to it.
    parseInput(jobLogsRoute.query, request.query, 'query');
    return engineJson(await jobs.taskFetch(job, 'GET', '/logs', { query: queryOf(request) }));
  });

  app.get('/api/v1/jobs/:id/results', { config: { api: jobResultsRoute } }, async (request) => {
    return engineJson(await jobs.taskFetch(jobOf(request), 'GET', '/results'));
  });

  app.get('/api/v1/jobs/:id/results/:index', { config: { api: readJobResultRoute } }, async (request, reply) => {
    const job = jobOf(request);
    const { index } = parseInput(readJobResultRoute.params, request.params, 'params');
    parseInput(readJobResultRoute.query, request.query, 'query');
    // A page with ?wait= may wait on the engine: a caller who leaves must not hold that request open.
    const response = await jobs.taskFetch(job, 'GET', `/results/${index}`, {
      query: queryOf(request),
      signal: answerClosed(reply),
    });
    if (!response.ok) return engineJson(response);
    return pipe(reply, response);
  });

  app.get(
    '/api/v1/jobs/:id/events',
    { config: { queryToken: true, api: jobEventsRoute }, exposeHeadRoute: false },
    async (request, reply) => {
      const job = jobOf(request);
      const query = parseInput(jobEventsRoute.query, request.query, 'query');
      const lastEventId = request.headers['last-event-id'];
      if (jobs.endedWithoutEngine(job)) {
        const after = typeof lastEventId === 'string' ? Number(lastEventId) : (query.after ?? 0);
        return reply
          .type('text/event-stream; charset=utf-8')
          .send(jobs.finalEvents(job, Number.isSafeInteger(after) && after > 0 ? after : 0));
      }
      const response = await jobs.taskFetch(job, 'GET', '/events', {
        query: queryOf(request),
        headers: {
          accept: 'text/event-stream',
          ...(typeof lastEventId === 'string' ? { 'last-event-id': lastEventId } : {}),
        },
        signal: answerClosed(reply),
      });
      if (!response.ok) return engineJson(response);
      reply.header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
      return pipe(reply, response);
    },
  );
}
