import type { FastifyInstance } from 'fastify';
import { LogsQuerySchema, parseInput, SubmitRequestSchema, TaskParamsSchema } from '../schemas.js';

/** Submit, list, inspect and kill tasks, and read their logs. */
export function registerTaskRoutes(app: FastifyInstance): void {
  const { runtime, callerOf, taskOf } = app.engineConn;

  app.post('/api/v1/tasks', async (request, reply) => {
    const body = parseInput(SubmitRequestSchema, request.body, 'body');
    const task = runtime.submit(body, callerOf(request));
    return reply
      .code(202)
      .header('location', `/api/v1/tasks/${encodeURIComponent(task.id)}`)
      .send({ id: task.id, status: task.status });
  });

  app.get('/api/v1/tasks', async (request) => ({ tasks: runtime.listTasks(callerOf(request)) }));

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
