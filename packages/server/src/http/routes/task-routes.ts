import {
  LogPageSchema,
  LogsQuerySchema,
  OneRequestTaskSchema,
  SubmitQuerySchema,
  SubmitRequestSchema,
  TaskInfoSchema,
  TaskListSchema,
  TaskRefSchema,
  TasksQuerySchema,
} from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { TASK_BY_ID } from '../context.js';
import { defineRoute } from '../openapi/api-route.js';
import { parseInput, parseWait } from '../parse-input.js';
import { awaitEnd, oneRequestAnswer } from './one-request.js';

const submitTaskRoute = defineRoute({
  tag: 'tasks',
  summary: 'Submit code to run; with ?wait=, wait for it to end and get its results in the same answer',
  body: SubmitRequestSchema,
  query: SubmitQuerySchema,
  answers: {
    200: { description: 'The task ended within ?wait=: the task and its results', schema: OneRequestTaskSchema },
    202: { description: 'Accepted; follow it with the events stream', schema: TaskRefSchema },
  },
  errors: ['EC_FORBIDDEN', 'EC_BUSY', 'EC_LOCK_INVALID', 'EC_PAYLOAD_TOO_LARGE', 'EC_SHUTTING_DOWN', 'EC_UNHEALTHY'],
});

const listTasksRoute = defineRoute({
  tag: 'tasks',
  summary: 'Your tasks (all tasks for admins), newest first, a page at a time',
  query: TasksQuerySchema,
  answers: {
    200: { description: 'A page of tasks; pass `next` as `after` for the next page', schema: TaskListSchema },
  },
  errors: [],
});

const getTaskRoute = defineRoute({
  tag: 'tasks',
  summary: 'One task',
  ...TASK_BY_ID,
  answers: { 200: { description: 'The task', schema: TaskInfoSchema } },
});

const taskLogsRoute = defineRoute({
  tag: 'tasks',
  summary: 'A page of the task log, readable from any line while and after it runs',
  ...TASK_BY_ID,
  query: LogsQuerySchema,
  answers: { 200: { description: 'Log lines [from, next)', schema: LogPageSchema } },
});

const killTaskRoute = defineRoute({
  tag: 'tasks',
  summary: 'Kill the task (idempotent); it ends Cancelled once its work has stopped',
  ...TASK_BY_ID,
  answers: { 202: { description: 'Kill started', schema: TaskRefSchema } },
});

/** Submit (optionally waiting for the end: one-request tasks), list, inspect and kill tasks, and read their logs. */
export function registerTaskRoutes(app: FastifyInstance): void {
  const { runtime, callerOf, requireSubmitter, taskOf } = app.engineConn;

  app.post('/api/v1/tasks', { config: { api: submitTaskRoute } }, async (request, reply) => {
    const caller = requireSubmitter(request);
    const body = parseInput(submitTaskRoute.body, request.body, 'body');
    const waitMs = parseWait(parseInput(submitTaskRoute.query, request.query, 'query').wait);
    if (waitMs === 0) {
      const task = runtime.submit(body, caller);
      reply.header('location', `/api/v1/tasks/${encodeURIComponent(task.id)}`);
      return reply.code(202).send({ id: task.id, status: task.status });
    }
    // The task's info is built once, for the answer, instead of also for the submit and the wait.
    const view = runtime.submitTask(body, caller);
    reply.header('location', `/api/v1/tasks/${encodeURIComponent(view.id)}`);
    if (await awaitEnd(view, waitMs, reply)) {
      return reply
        .code(200)
        .type('application/json; charset=utf-8')
        .send(await oneRequestAnswer(view));
    }
    return reply.code(202).send({ id: view.id, status: view.info().status });
  });

  app.get('/api/v1/tasks', { config: { api: listTasksRoute } }, async (request) =>
    runtime.pageTasks(callerOf(request), parseInput(listTasksRoute.query, request.query, 'query')),
  );

  app.get('/api/v1/tasks/:id', { config: { api: getTaskRoute } }, async (request) => taskOf(request).info());

  app.get('/api/v1/tasks/:id/logs', { config: { api: taskLogsRoute } }, async (request) => {
    const view = taskOf(request);
    const { from, limit } = parseInput(taskLogsRoute.query, request.query, 'query');
    return view.readLogs(from, limit);
  });

  app.post('/api/v1/tasks/:id/kill', { config: { api: killTaskRoute } }, async (request, reply) => {
    const { id } = parseInput(killTaskRoute.params, request.params, 'params');
    const task = runtime.kill(id, callerOf(request));
    return reply.code(202).send({ id: task.id, status: task.status });
  });
}
