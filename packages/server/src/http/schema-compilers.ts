import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

// Resolved from fastify's own location: the compilers are its dependencies, not ours.
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));

/**
 * Fastify's JSON-schema compilers (ajv, fast-json-stringify), loaded only if a route declares a
 * schema. The API validates with zod (schemas.ts) and declares none, yet fastify requires both
 * when the instance is created unless given factories: about 90 modules, 85 ms of the time to
 * ready on the bench machine. A plugin route that does declare a schema still gets them.
 */
export const lazySchemaCompilers: CompilersFactory = {
  buildValidator: ((...args: Parameters<BuildValidator>) => {
    const selector = fastifyRequire('@fastify/ajv-compiler') as () => BuildValidator;
    return selector()(...args);
  }) as BuildValidator,
  buildSerializer: ((...args: Parameters<BuildSerializer>) => {
    const selector = fastifyRequire('@fastify/fast-json-stringify-compiler') as () => BuildSerializer;
    return selector()(...args);
  }) as BuildSerializer,
};
