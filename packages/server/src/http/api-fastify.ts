import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { frameworkErrorHandler, installErrorHandling } from './errors.js';
import { collectApiRoutes } from './openapi/api-route.js';
import { clientErrorHandler } from './protocol-errors.js';
import { requestLoggerFactory } from './request-logger.js';
import { lazySchemaCompilers } from './schema-compilers.js';

/** The request body limit of both APIs unless `--body-limit` says otherwise. */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export interface ApiFastifyOptions {
  /** `--tls-cert` / `--tls-key`: serve HTTPS (and WSS) instead of HTTP. */
  https?: { cert: Buffer; key: Buffer } | undefined;
  /** Largest accepted request body in bytes (default DEFAULT_BODY_LIMIT); larger ones get 413 EC_PAYLOAD_TOO_LARGE. */
  bodyLimit?: number | undefined;
  logger?: Logger | false | undefined;
}

/**
 * A fastify instance as the EngineConn's and the manager's HTTP APIs both run: every error, Node's
 * parser errors included, answered in the contract's format, and every route registered from here
 * on collected for the OpenAPI document.
 */
export function createApiFastify(opts: ApiFastifyOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app: FastifyInstance = Fastify({
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
    bodyLimit,
    ...(opts.logger ? { loggerInstance: opts.logger, childLoggerFactory: requestLoggerFactory } : { logger: false }),
    // Per-request log lines would dominate the log at thousands of tasks per second.
    logController: new LogController({ disableRequestLogging: true }),
    // Task ids and locks never need more; a bounded param length keeps the router cheap.
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    schemaController: { compilersFactory: lazySchemaCompilers },
  }) as unknown as FastifyInstance;
  // Before any route, so that every route registered later is seen.
  collectApiRoutes(app);
  installErrorHandling(app, bodyLimit);
  return app;
}
