import {
  EngineConnInfoSchema,
  HealthAnswerSchema,
  HealthRequestSchema,
  ShutdownAcceptedSchema,
} from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { defineRoute } from '../openapi/api-route.js';
import { parseInput } from '../parse-input.js';

const infoRoute = defineRoute({
  tag: 'engineconn',
  summary: 'Status, health, labels and load of this EngineConn',
  answers: { 200: { description: 'The EngineConn', schema: EngineConnInfoSchema } },
  errors: [],
});

const shutdownRoute = defineRoute({
  tag: 'engineconn',
  summary: 'Drain running tasks, then exit (owner or admin)',
  answers: { 202: { description: 'Shutdown started', schema: ShutdownAcceptedSchema } },
  errors: ['EC_FORBIDDEN'],
});

const healthRoute = defineRoute({
  tag: 'engineconn',
  summary: "A manager's health override (owner or admin); UnHealthy refuses new tasks",
  body: HealthRequestSchema,
  answers: { 200: { description: 'The health now', schema: HealthAnswerSchema } },
  errors: ['EC_FORBIDDEN'],
});

/** The EC itself: info, shutdown and the manager's health override. */
export function registerEngineConnRoutes(app: FastifyInstance): void {
  const { runtime } = app.engineConn;

  app.get('/api/v1/engineconn', { config: { api: infoRoute } }, async () => runtime.info());

  app.post('/api/v1/engineconn/shutdown', { config: { api: shutdownRoute } }, async (request, reply) => {
    const caller = app.engineConn.requireOwnerOrAdmin(request);
    // The answer goes out before the drain: the caller learns the shutdown began, not when it ends.
    runtime.shutdown(`shutdown requested by ${caller.user}`).catch((err: unknown) => {
      request.log.error({ err }, 'shutdown failed');
    });
    return reply.code(202).send({ id: runtime.id, status: runtime.status });
  });

  app.post('/api/v1/engineconn/health', { config: { api: healthRoute } }, async (request) => {
    app.engineConn.requireOwnerOrAdmin(request);
    const body = parseInput(healthRoute.body, request.body, 'body');
    runtime.setHealth(body.health, body.reason);
    return { health: runtime.health, status: runtime.status };
  });
}
