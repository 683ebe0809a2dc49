import { API_COMPONENTS, ERROR_CODES } from '@engineconn/protocol';
import { z } from 'zod';
import { type JsonObject, type RegisteredRoute, ref, routeErrors } from './api-route.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  /** The tags in the order the document lists them. */
  tags: readonly string[];
  securityDescription: string;
}

const TO_JSON = { io: 'input', unrepresentable: 'any' } as const;

/** The protocol's named schemas at once, so that shared ones become `$ref`s between components. */
function allComponents(): Record<string, JsonObject> {
  const { schemas } = z.toJSONSchema(API_COMPONENTS, { ...TO_JSON, uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, JsonObject>;
  };
  // A component is addressed by its place in the document; zod's `$id` (a bare fragment) is not valid 2020-12.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return schemas;
}

function schemaOf(schema: z.ZodType): JsonObject {
  const named = API_COMPONENTS.get(schema);
  if (named) return ref(named.id);
  const json = z.toJSONSchema(schema, TO_JSON) as JsonObject;
  delete json.$schema;
  return json;
}

/** Path and query parameters, one per field of the route's zod object. */
function parameters(where: 'path' | 'query', object: z.ZodObject | undefined): JsonObject[] {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = z.toJSONSchema(field as z.ZodType, TO_JSON) as JsonObject;
    delete schema.$schema;
    const description = schema.description;
    delete schema.description;
    const required = where === 'path' || !(field as z.ZodType).safeParse(undefined).success;
    return { name, in: where, required, schema, ...(description ? { description } : {}) };
  });
}

/** `/api/v1/tasks/:id` → `/api/v1/tasks/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

function operation(route: RegisteredRoute): JsonObject {
  const { api } = route;
  const responses: Record<string, JsonObject> = {};
  for (const [status, answer] of Object.entries(api.answers)) {
    const content =
      answer.media ?? (answer.schema ? { 'application/json': { schema: schemaOf(answer.schema) } } : undefined);
    responses[status] = { description: answer.description, ...(content ? { content } : {}) };
  }
  const errors = routeErrors(route);
  for (const code of errors) {
    const status = String(ERROR_CODES[code].status);
    const existing = responses[status] as { description: string } | undefined;
    responses[status] = {
      description: existing ? `${existing.description}, ${code}` : code,
      content: { 'application/json': { schema: ref('ErrorResponse') } },
    };
  }
  const path = openApiPath(route.url);
  return {
    operationId: `${route.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: api.summary,
    tags: [api.tag],
    ...(api.description ? { description: api.description } : {}),
    parameters: [...parameters('path', api.params), ...parameters('query', api.query)],
    ...(api.body
      ? {
          requestBody: {
            required: !api.bodyOptional,
            content: { 'application/json': { schema: schemaOf(api.body) } },
          },
        }
      : {}),
    responses,
    'x-error-codes': errors,
    ...(route.public ? { security: [] } : {}),
    ...api.extensions,
  };
}

/** Keeps the components the paths refer to, directly or through other components. */
function referenced(paths: JsonObject, components: Record<string, JsonObject>): Record<string, JsonObject> {
  const refsIn = (value: unknown): string[] =>
    [...JSON.stringify(value).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] as string);
  const kept = new Set<string>();
  const pending = refsIn(paths);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (kept.has(name) || !components[name]) continue;
    kept.add(name);
    pending.push(...refsIn(components[name]));
  }
  return Object.fromEntries([...kept].sort().map((name) => [name, components[name] as JsonObject]));
}

/**
 * The OpenAPI 3.1 document of the routes an app registered with `config.api`: their parameters,
 * bodies, answers and error codes, all from the protocol's zod schemas. Nothing here lists routes.
 */
export function buildOpenApiDocument(info: OpenApiInfo, routes: readonly RegisteredRoute[]): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    (paths[path] as Record<string, JsonObject>)[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: info.tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: referenced(paths, allComponents()),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: info.securityDescription } },
    },
  };
}
