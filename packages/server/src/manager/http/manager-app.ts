import { ManagerReadinessSchema } from '@engineconn/protocol/manager';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApiFastify } from '../../http/api-fastify.js';
import { type AuthConfig, Authenticator, installAuth } from '../../http/auth.js';
import { defineRoute } from '../../http/openapi/api-route.js';
import { createOpenApiPlugin } from '../../http/openapi/openapi-plugin.js';
import { installRequestGuard, type RequestGuardOptions } from '../../http/request-guard.js';
import { registerLiveness } from '../../http/routes/probe-routes.js';
import { managerConsolePlugin } from '../console/manager-console.js';
import type { EngineManager } from '../engine-manager.js';
import type { JobService } from '../jobs/job-service.js';
import { ReportHandler } from '../report-handler.js';
import { registerEngineRoutes } from './engine-routes.js';
import { registerJobRoutes } from './job-routes.js';
import type { ManagerMetrics } from './manager-metrics.js';
import { registerReportRoutes } from './report-routes.js';

const readinessRoute = defineRoute({
  tag: 'probes',
  summary: 'Readiness: the manager answers once it serves',
  answers: { 200: { description: 'Ready', schema: ManagerReadinessSchema } },
  errors: [],
});

const metricsRoute = defineRoute({
  tag: 'probes',
  summary: 'Prometheus metrics: engines by status, asks by outcome',
  answers: { 200: { description: 'Prometheus text format', media: { 'text/plain': { schema: { type: 'string' } } } } },
  errors: [],
});

const managerOpenApiPlugin = createOpenApiPlugin({
  title: 'EngineConnManager API',
  description:
    'Ask for engines (reused, or launched as the caller\'s OS user), run jobs through them, and take the engines\' reports. Errors are `{"error": {"code": "EC_…", "message"}}` with the HTTP status of their code; each operation lists its codes in `x-error-codes`. See docs/manager.md and docs/errors.md.',
  tags: ['engines', 'jobs', 'reports', 'probes'],
  securityDescription:
    "A token from the --auth-file; without one, the manager's owner token (its ready file, its OS user's runtime file, or ENGINECONN_TOKEN at start). The reports' token is the secret the manager gave the engine at launch.",
});

export interface ManagerAppOptions {
  manager: EngineManager;
  jobs: JobService;
  metrics: ManagerMetrics;
  /** The auth file's tokens, or null: then the owner token is the one credential, from loopback only. */
  auth: AuthConfig | null;
  /** Without an auth file: the owner token (ENGINECONN_TOKEN or generated). */
  ownerToken?: string | undefined;
  owner: string;
  /** The bound address, `--public-url`s and `--allow-origin`s, for the same-origin checks (docs/security.md). */
  guard?: RequestGuardOptions;
  /** Largest request body in bytes (default 10 MiB). */
  bodyLimit?: number;
  /** `--tls-cert` / `--tls-key`: HTTPS. */
  https?: { cert: Buffer; key: Buffer } | undefined;
  logger: Logger | false;
}

/**
 * The manager's HTTP API (docs/manager.md) on fastify, with the EngineConn's own auth, error mapping and
 * probes: every route but the probes and the engines' reports (which carry their launch secret)
 * needs a listed bearer token.
 */
export async function buildManagerApp(opts: ManagerAppOptions): Promise<FastifyInstance> {
  const app = createApiFastify({ https: opts.https, bodyLimit: opts.bodyLimit, logger: opts.logger });
  installRequestGuard(app, opts.guard);
  installAuth(
    app,
    new Authenticator({ auth: opts.auth, ownerToken: opts.auth ? undefined : opts.ownerToken, owner: opts.owner }),
  );

  registerLiveness(app);
  app.get('/readyz', { config: { public: true, anyHost: true, api: readinessRoute } }, async () => ({ ready: true }));
  app.get('/metrics', { config: { api: metricsRoute } }, async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .type(opts.metrics.registry.contentType)
      .send(await opts.metrics.registry.metrics()),
  );
  registerReportRoutes(app, new ReportHandler(opts.manager));
  registerEngineRoutes(app, opts.manager);
  registerJobRoutes(app, opts.jobs);
  await app.register(managerOpenApiPlugin);
  await app.register(managerConsolePlugin);
  return app;
}
