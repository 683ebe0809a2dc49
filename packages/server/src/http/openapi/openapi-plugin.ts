import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';
import { defineRoute } from './api-route.js';
import type { OpenApiInfo } from './openapi-document.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** The path every app of this package serves its OpenAPI document at (docs/api.md, docs/manager.md). */
export const OPENAPI_PATH = '/api/v1/openapi.json';

const openApiRoute = defineRoute({
  summary: 'This document',
  tag: 'probes',
  answers: { 200: { description: 'OpenAPI 3.1', media: { 'application/json': { schema: { type: 'object' } } } } },
  errors: [],
});

/**
 * `GET /api/v1/openapi.json`: the API description of the app it is registered on, public like the
 * probes (it holds no data). It is built from the routes registered with `config.api` at the first
 * request: nothing before ready needs it, and every plugin's routes are registered by then.
 */
export function createOpenApiPlugin(info: Omit<OpenApiInfo, 'version'>): FastifyPluginAsync {
  return async (app) => {
    let document: Promise<string> | undefined;
    const build = async (): Promise<string> => {
      const { buildOpenApiDocument } = await import('./openapi-document.js');
      return JSON.stringify(buildOpenApiDocument({ ...info, version }, app.apiRoutes));
    };
    app.get(OPENAPI_PATH, { config: { public: true, api: openApiRoute } }, async (_request, reply) => {
      document ??= build();
      return reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(await document);
    });
  };
}

/** The EngineConn's document. */
export const openApiPlugin: FastifyPluginAsync = createOpenApiPlugin({
  title: 'EngineConn API',
  description:
    'Run code through a live engine session and follow it in real time. Errors are `{"error": {"code": "EC_…", "message"}}` with the HTTP status of their code; each operation lists its codes in `x-error-codes`. See docs/api.md and docs/errors.md.',
  tags: ['engineconn', 'tasks', 'events', 'results', 'locks', 'probes'],
  securityDescription:
    "A token from the --auth-file; without one, the EngineConn's owner token (its ready file, its OS user's runtime file, or ENGINECONN_TOKEN at start).",
});
