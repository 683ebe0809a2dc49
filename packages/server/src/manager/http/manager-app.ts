import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type AuthConfig, Authenticator, installAuth } from '../../http/auth.js';
import { frameworkErrorHandler, installErrorHandling } from '../../http/errors.js';
import { installRequestGuard, type RequestGuardOptions } from '../../http/request-guard.js';
import { lazySchemaCompilers } from '../../http/schema-compilers.js';
import { managerConsolePlugin } from '../console/manager-console.js';
import type { EngineManager } from '../engine-manager.js';
import type { JobService } from '../jobs/job-service.js';
import { ReportHandler } from '../report-handler.js';
import { registerEngineRoutes } from './engine-routes.js';
import { registerJobRoutes } from './job-routes.js';
import type { ManagerMetrics } from './manager-metrics.js';
import { registerReportRoutes } from './report-routes.js';

const BODY_LIMIT = 10 * 1024 * 1024;

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
  const app: FastifyInstance = Fastify({
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
    bodyLimit: BODY_LIMIT,
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    schemaController: { compilersFactory: lazySchemaCompilers },
  }) as unknown as FastifyInstance;
  installErrorHandling(app, BODY_LIMIT);
  installRequestGuard(app, opts.guard);
  installAuth(
    app,
    new Authenticator({ auth: opts.auth, ownerToken: opts.auth ? undefined : opts.ownerToken, owner: opts.owner }),
  );

  app.get('/healthz', { config: { public: true, anyHost: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true, anyHost: true } }, async () => ({ ready: true }));
  app.get('/metrics', async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .type(opts.metrics.registry.contentType)
      .send(await opts.metrics.registry.metrics()),
  );
  registerReportRoutes(app, new ReportHandler(opts.manager));
  registerEngineRoutes(app, opts.manager);
  registerJobRoutes(app, opts.jobs);
  await app.register(managerConsolePlugin);
  return app;
}
