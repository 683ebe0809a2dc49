import type { NodeStatus } from '@engineconn/core';
import type { FastifyInstance } from 'fastify';

const NOT_READY: readonly NodeStatus[] = ['Starting', 'ShuttingDown', 'Failed', 'Success'];

/** Liveness and readiness probes: no auth, so orchestrators can call them. */
export function registerProbeRoutes(app: FastifyInstance): void {
  const { runtime } = app.engineConn;

  app.get('/healthz', { config: { public: true, anyHost: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true, anyHost: true } }, async (_request, reply) => {
    const status = runtime.status;
    const ready = !NOT_READY.includes(status);
    return reply.code(ready ? 200 : 503).send({ ready, status });
  });
}
