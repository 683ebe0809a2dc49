import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';
import { buildOpenApiDocument } from './openapi-document.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** `GET /api/v1/openapi.json`: the API description, public like the probes (it holds no data). */
export const openApiPlugin: FastifyPluginAsync = async (app) => {
  const document = JSON.stringify(buildOpenApiDocument(version));
  app.get('/api/v1/openapi.json', { config: { public: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(document),
  );
};
