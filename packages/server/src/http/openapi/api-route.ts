import type { ErrorCode } from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';

export type JsonObject = Record<string, unknown>;

/** One success answer of a route. */
export interface ApiAnswer {
  description: string;
  /** The JSON body. */
  schema?: z.ZodType;
  /** Media types other than JSON (SSE, CSV, images), as OpenAPI content objects. */
  media?: Record<string, JsonObject>;
}

/**
 * What a route declares about itself, in its fastify `config.api`: the OpenAPI document is
 * generated from the routes registered with one, and the handler parses its input with the same
 * schemas (`parseInput(route.body, …)`), so the description cannot drift from what is served.
 * The schemas are zod, not fastify's `schema` option, which would load ajv at start-up.
 */
export interface ApiRoute {
  summary: string;
  tag: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body may be left out (`POST /api/v1/locks`). */
  bodyOptional?: boolean;
  answers: Record<number, ApiAnswer>;
  /**
   * The codes the handler itself can answer with. Those of the hooks every request passes (guard,
   * auth, body parser) and EC_BAD_REQUEST for a route with input schemas are added from the
   * route's config: see `routeErrors`.
   */
  errors: readonly ErrorCode[];
  /** A `config.public` route that still needs a token, which it checks itself (the WebSocket, for `?token=`). */
  authenticatesItself?: boolean;
  extensions?: JsonObject;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    api?: ApiRoute;
  }
  interface FastifyInstance {
    /** Every route registered with `config.api`, in registration order. */
    apiRoutes: readonly RegisteredRoute[];
  }
}

/** A reference to one of the protocol's named schemas (API_COMPONENTS). */
export function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

/** Types a route declaration: the literal schemas stay visible to the handler. */
export function defineRoute<const R extends ApiRoute>(route: R): R {
  return route;
}

export interface RegisteredRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** fastify's pattern, e.g. `/api/v1/tasks/:id`. */
  url: string;
  api: ApiRoute;
  /** No token needed. */
  public: boolean;
  /** Skips the same-origin guard too (config.anyHost: the probes). */
  anyHost: boolean;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/**
 * Collects the routes registered from now on with a `config.api` into `app.apiRoutes`. Installed
 * before any route, so plugins' routes are seen as well.
 */
export function collectApiRoutes(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  app.decorate('apiRoutes', routes);
  app.addHook('onRoute', (route) => {
    const api = route.config?.api;
    if (!api) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      const lower = method.toLowerCase();
      // fastify adds a HEAD route for every GET; it answers as the GET does.
      if (!METHODS.has(lower)) continue;
      routes.push({
        method: lower as RegisteredRoute['method'],
        url: route.url,
        api,
        public: route.config?.public === true && !api.authenticatesItself,
        anyHost: route.config?.anyHost === true,
      });
    }
  });
}

/**
 * Every code a route can answer with: its own, EC_BAD_REQUEST when it parses input, and those of
 * the root hooks it passes — the guard refuses a foreign Origin or Host and a body that is not JSON
 * (request-guard.ts), auth a missing or unknown token and a remote caller without an auth file
 * (auth.ts), the body parser a body that is malformed or too large (json-body.ts).
 */
export function routeErrors(route: RegisteredRoute): ErrorCode[] {
  const { api } = route;
  // fastify parses the body of any method but GET (and HEAD), whether or not the route reads it.
  const takesBody = route.method !== 'get';
  const codes = new Set<ErrorCode>([
    ...(api.params || api.query || takesBody ? (['EC_BAD_REQUEST'] as const) : []),
    ...api.errors,
    ...(route.anyHost ? [] : (['EC_FORBIDDEN_ORIGIN', 'EC_UNSUPPORTED_MEDIA_TYPE'] as const)),
    // A remote caller of an EngineConn without an auth file is EC_FORBIDDEN before its token is read.
    ...(route.public ? [] : (['EC_UNAUTHORIZED', 'EC_FORBIDDEN'] as const)),
    ...(takesBody ? (['EC_PAYLOAD_TOO_LARGE'] as const) : []),
  ]);
  return [...codes];
}
