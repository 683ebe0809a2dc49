import type { EngineConnRuntime } from '@engineconn/core';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { createApiFastify } from './api-fastify.js';
import { type AuthConfig, Authenticator, generateOwnerToken, installAuth, type ShareLevel } from './auth.js';
import { createServerContext, decorateServerContext } from './context.js';
import { installJsonBodyParser } from './json-body.js';
import { installRequestGuard, type RequestGuardOptions } from './request-guard.js';
import { registerEngineConnRoutes } from './routes/engineconn-routes.js';
import { registerLockRoutes } from './routes/lock-routes.js';
import { registerProbeRoutes } from './routes/probe-routes.js';
import { registerResultRoutes } from './routes/result-routes.js';
import { registerTaskRoutes } from './routes/task-routes.js';
import { registerSseRoute, type SseOptions } from './sse.js';

export interface BuildAppOptions {
  runtime: EngineConnRuntime;
  /** The parsed `--auth-file`, or null: then loopback callers with the owner token, as the EC's owner. */
  auth: AuthConfig | null;
  /** The owner token without an auth file (default: a fresh one, read back from `app.engineConn.authenticator`). */
  ownerToken?: string | undefined;
  /** `--share-level` (default `user`). */
  shareLevel?: ShareLevel | undefined;
  /** Host and Origin checks (bound address, `--public-url`, `--allow-origin`). */
  guard?: RequestGuardOptions | undefined;
  /** `--tls-cert` / `--tls-key`: serve HTTPS (and WSS) instead of HTTP. */
  https?: { cert: Buffer; key: Buffer } | undefined;
  /** Largest accepted request body in bytes; larger ones get 413 EC_PAYLOAD_TOO_LARGE. */
  bodyLimit?: number;
  logger?: Logger | false;
  /** Extra route modules (WebSocket events, console, metrics); they reach the runtime via `app.engineConn`. */
  plugins?: FastifyPluginAsync[];
  /** Interval of the SSE `: ping` comment. */
  sseHeartbeatMs?: number;
  /** The SSE slow-consumer bound (default the WebSocket's) and a hook called on each cut-off. */
  sse?: Pick<SseOptions, 'slowConsumer' | 'onSlowConsumer'>;
}

/**
 * The HTTP API (docs/api.md) on one fastify instance: error mapping, the same-origin guard, auth,
 * then the routes. Every route except the probes is guarded and authenticated by root hooks, so
 * plugins passed in `plugins` are too.
 */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = createApiFastify({ https: opts.https, bodyLimit: opts.bodyLimit, logger: opts.logger });
  installJsonBodyParser(app);

  const authenticator = new Authenticator({
    auth: opts.auth,
    ownerToken: opts.auth ? undefined : (opts.ownerToken ?? generateOwnerToken()),
    owner: opts.runtime.context.user,
    shareLevel: opts.shareLevel,
  });
  decorateServerContext(app, createServerContext(opts.runtime, authenticator));
  installRequestGuard(app, opts.guard);
  installAuth(app, authenticator);

  registerProbeRoutes(app);
  registerEngineConnRoutes(app);
  registerTaskRoutes(app);
  registerResultRoutes(app);
  registerLockRoutes(app);
  registerSseRoute(app, { heartbeatMs: opts.sseHeartbeatMs, ...opts.sse });

  for (const plugin of opts.plugins ?? []) await app.register(plugin);
  return app;
}
