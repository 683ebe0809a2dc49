import { HealthRequestSchema } from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { parseInput } from '../parse-input.js';

/** The EC itself: info, shutdown and the manager's health override. */
export function registerEngineConnRoutes(app: FastifyInstance): void {
  const { runtime } = app.engineConn;

  app.get('/api/v1/engineconn', async () => runtime.info());

  app.post('/api/v1/engineconn/shutdown', async (request, reply) => {
    const caller = app.engineConn.requireOwnerOrAdmin(request);
    // The answer goes out before the drain: the caller learns the shutdown began, not when it ends.
    runtime.shutdown(`shutdown requested by ${caller.user}`).catch((err: unknown) => {
      request.log.error({ err }, 'shutdown failed');
    });
    return reply.code(202).send({ id: runtime.id, status: runtime.status });
  });

  app.post('/api/v1/engineconn/health', async (request) => {
    app.engineConn.requireOwnerOrAdmin(request);
    const body = parseInput(HealthRequestSchema, request.body, 'body');
    runtime.setHealth(body.health, body.reason);
    return { health: runtime.health, status: runtime.status };
  });
}
