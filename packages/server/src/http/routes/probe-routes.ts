import { LivenessSchema, type NodeStatus, ReadinessSchema } from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { defineRoute } from '../openapi/api-route.js';

const NOT_READY: readonly NodeStatus[] = ['Starting', 'ShuttingDown', 'Failed', 'Success'];

const livenessRoute = defineRoute({
  tag: 'probes',
  summary: 'Liveness',
  answers: { 200: { description: 'Alive', schema: LivenessSchema } },
  errors: [],
});

const readinessRoute = defineRoute({
  tag: 'probes',
  summary: 'Readiness: 503 while starting or shutting down',
  answers: {
    200: { description: 'Ready', schema: ReadinessSchema },
    503: { description: 'Not ready', schema: ReadinessSchema },
  },
  errors: [],
});

/** `GET /healthz`, the same in the EngineConn and the manager: no auth, any Host, so orchestrators can call it. */
export function registerLiveness(app: FastifyInstance): void {
  app.get('/healthz', { config: { public: true, anyHost: true, api: livenessRoute } }, async () => ({ status: 'ok' }));
}

/** Liveness and readiness probes: no auth, so orchestrators can call them. */
export function registerProbeRoutes(app: FastifyInstance): void {
  const { runtime } = app.engineConn;

  registerLiveness(app);

  app.get('/readyz', { config: { public: true, anyHost: true, api: readinessRoute } }, async (_request, reply) => {
    const status = runtime.status;
    const ready = !NOT_READY.includes(status);
    return reply.code(ready ? 200 : 503).send({ ready, status });
  });
}
