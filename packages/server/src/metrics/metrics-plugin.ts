import type { FastifyPluginAsync } from 'fastify';
import { defineRoute } from '../http/openapi/api-route.js';
import { EngineConnMetrics, type EngineConnMetricsOptions } from './engine-conn-metrics.js';

const metricsRoute = defineRoute({
  tag: 'probes',
  summary: 'Prometheus metrics',
  answers: { 200: { description: 'Prometheus text format', media: { 'text/plain': { schema: { type: 'string' } } } } },
  errors: [],
});

/**
 * `GET /metrics` (docs/api.md#routes): Prometheus text for the app's EngineConn. The route sits behind the
 * same auth as the API (a listed bearer token, or loopback only without an auth file): the figures
 * are aggregates, but they show load and usage, which is nobody's business off this host.
 */
export function createMetricsPlugin(opts: EngineConnMetricsOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const metrics = new EngineConnMetrics(app.engineConn.runtime, opts);
    metrics.trackServer(app.server);
    app.addHook('onClose', async () => metrics.close());
    app.get('/metrics', { config: { api: metricsRoute } }, async (_request, reply) => {
      const { text, contentType } = await metrics.scrape();
      return reply.header('cache-control', 'no-store').type(contentType).send(text);
    });
  };
}
