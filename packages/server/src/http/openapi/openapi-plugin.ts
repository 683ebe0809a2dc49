import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** The document is built from the zod schemas at the first request: nothing before ready needs it. */
async function buildDocument(): Promise<string> {
  const { buildOpenApiDocument } = await import('./openapi-document.js');
  return JSON.stringify(buildOpenApiDocument(version));
}

/** `GET /api/v1/openapi.json`: the API description, public like the probes (it holds no data). */
export const openApiPlugin: FastifyPluginAsync = async (app) => {
  let document: Promise<string> | undefined;
  app.get('/api/v1/openapi.json', { config: { public: true } }, async (_request, reply) => {
    document ??= buildDocument();
    return reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await document);
  });
};
