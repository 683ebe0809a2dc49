import {
  LogsQuerySchema,
  SubmitQuerySchema,
  SubmitRequestSchema,
  TaskParamsSchema,
  TasksQuerySchema,
} from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { parseInput, parseWait } from '../parse-input.js';
import { awaitEnd, oneRequestAnswer } from './one-request.js';

/** Submit (optionally waiting for the end: one-request tasks), list, inspect and kill tasks, and read their logs. */
export function registerTaskRoutes(app: FastifyInstance): void {
  const { runtime, callerOf, requireSubmitter, taskOf } = app.engineConn;

  app.post('/api/v1/tasks', async (request, reply) => {
    const caller = requireSubmitter(request);
    const body = parseInput(SubmitRequestSchema, request.body, 'body');
    const waitMs = parseWait(parseInput(SubmitQuerySchema, request.query, 'query').wait);
    const task = runtime.submit(body, caller);
    reply.header('location', `/api/v1/tasks/${encodeURIComponent(task.id)}`);
    if (waitMs === 0) return reply.code(202).send({ id: task.id, status: task.status });
    const view = runtime.getTask(task.id, caller);
    if (await awaitEnd(view, waitMs, reply)) {
      return reply
        .code(200)
        .type('application/json; charset=utf-8')
        .send(await oneRequestAnswer(view));
    }
    return reply.code(202).send({ id: task.id, status: view.info().status });
  });

  app.get('/api/v1/tasks', async (request) =>
    runtime.pageTasks(callerOf(request), parseInput(TasksQuerySchema, request.query, 'query')),
  );

  app.get('/api/v1/tasks/:id', async (request) => taskOf(request).info());

  app.get('/api/v1/tasks/:id/logs', async (request) => {
    const view = taskOf(request);
    const { from, limit } = parseInput(LogsQuerySchema, request.query, 'query');
    return view.readLogs(from, limit);
  });

  app.post('/api/v1/tasks/:id/kill', async (request, reply) => {
    const { id } = parseInput(TaskParamsSchema, request.params, 'params');
    const task = runtime.kill(id, callerOf(request));
    return reply.code(202).send({ id: task.id, status: task.status });
  });
}
