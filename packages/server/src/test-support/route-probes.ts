import assert from 'node:assert/strict';
import { ERROR_CODES, type ErrorCode, isErrorCode, statusOf } from '@engineconn/protocol';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { z } from 'zod';
import { type RegisteredRoute, routeErrors } from '../http/openapi/api-route.js';

/*
 * What the route tests of both apps share (http/openapi/, manager/http/): fastify's own listing of
 * the routes it serves, and the requests that probe a route's declared errors.
 */

/** `METHOD /path/{param}` of every route fastify serves (but HEAD), from its printed tree of path segments, 4 columns per level. */
export function servedRoutes(app: FastifyInstance): string[] {
  const served: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
    if (!match) continue;
    stack.length = (match[1] as string).length / 4;
    stack.push(match[2] as string);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') served.push(`${method} ${path}`);
  }
  return [...new Set(served)];
}

/** `METHOD /path/{param}` of every operation of an OpenAPI document. */
export function documentedRoutes(doc: Record<string, unknown>): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

export interface Probe {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** A JSON body (default: the example of the route's body schema). */
  body?: unknown;
  /** A body sent as it is. */
  raw?: string;
  headers?: Record<string, string>;
  /** The bearer token (undefined: the situation's default; null: none). */
  token?: string | null;
  remoteAddress?: string;
}

export const exampleOf = (schema: z.ZodType | undefined): unknown =>
  schema ? ((z.globalRegistry.get(schema)?.examples as unknown[] | undefined)?.[0] ?? {}) : undefined;

/** Each field of an input object replaced by values its schema refuses (or, for free strings, unknown ones). */
export function wrongFields(object: z.ZodObject | undefined): Record<string, string>[] {
  if (!object) return [];
  return Object.keys(object.shape).flatMap((name) => ['not-valid', '-1', ''].map((value) => ({ [name]: value })));
}

/**
 * Bodies that are not a JSON object the route accepts: not JSON at all, JSON cut short (a route
 * with a body only: fastify skips a GET's), and for a route with a body schema an array and an
 * unknown field.
 */
export function notJsonObjectBodies(route: RegisteredRoute): Probe[] {
  return [
    { raw: 'code=1', headers: { 'content-type': 'text/plain' } },
    ...(route.method === 'get' ? [] : [{ raw: '{"code":', headers: { 'content-type': 'application/json' } }]),
    ...(route.api.body ? [{ body: [] }, { body: { unknownField: 1 } }] : []),
  ];
}

/** The body limit of the app a situation sends ACCESS_PROBES.overBodyLimit to. */
export const PROBE_BODY_LIMIT = 256;

/**
 * The probes of the rules every route of both apps keeps (docs/security.md), a situation each: no
 * token, a token nobody has, a page of another origin, a remote caller of an app without an auth
 * file, and a body over PROBE_BODY_LIMIT. The situation runs them against the app each needs.
 */
export const ACCESS_PROBES = {
  noToken: { token: null },
  unknownToken: { token: 'not-a-token' },
  foreignOrigin: { headers: { origin: 'https://evil.example' } },
  remoteCaller: { remoteAddress: '10.1.2.3' },
  overBodyLimit: {
    raw: JSON.stringify({ code: 'x'.repeat(4 * PROBE_BODY_LIMIT) }),
    headers: { 'content-type': 'application/json' },
  },
} satisfies Record<string, Probe>;

/** The request of a probe against a route; path parameters the probe leaves out take `defaults`. */
export function injectOptions(
  route: RegisteredRoute,
  probe: Probe,
  defaults: Record<string, string>,
): InjectOptions & { token?: string | null } {
  const url = route.url.replace(/:(\w+)/g, (_m, name: string) =>
    encodeURIComponent(probe.params?.[name] ?? defaults[name] ?? 'x'),
  );
  const query = probe.query ? `?${new URLSearchParams(probe.query)}` : '';
  const body = probe.raw ?? probe.body ?? exampleOf(route.api.body);
  return {
    method: route.method.toUpperCase() as 'GET',
    url: url + query,
    headers: {
      ...(body !== undefined && probe.raw === undefined ? { 'content-type': 'application/json' } : {}),
      ...probe.headers,
    },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(probe.remoteAddress ? { remoteAddress: probe.remoteAddress } : {}),
    ...(probe.token === undefined ? {} : { token: probe.token }),
  };
}

/**
 * A route-errors test's ledger: the codes each route declares, and the ones it was seen to answer
 * across the situations. Every failed answer must be the contract's error, with the registry's
 * status, and a code the route declares; at the end, every declared code must have been answered.
 */
export class ErrorLedger {
  readonly #declared = new Map<string, ErrorCode[]>();
  readonly #answered = new Map<string, Set<ErrorCode>>();

  /** Records what `route` declares; call it for every route, probed or not. */
  declare(route: RegisteredRoute): void {
    this.#declared.set(routeKey(route), routeErrors(route));
  }

  /** Checks the answer `res` that `probe` got from `route` (a status the route declares as an answer, like `/readyz`'s 503, is not an error). */
  check(route: RegisteredRoute, probe: Probe, res: { statusCode: number; body: string }): void {
    if (res.statusCode < 400 || route.api.answers[res.statusCode]) return;
    const key = routeKey(route);
    const what = `${key} with ${JSON.stringify(probe)}`.slice(0, 300);
    let code: unknown;
    try {
      code = (JSON.parse(res.body) as { error?: { code?: unknown } }).error?.code;
    } catch {
      code = undefined;
    }
    assert.ok(isErrorCode(code), `${what} answered ${res.statusCode} without an error code: ${res.body}`);
    assert.equal(res.statusCode, statusOf(code), `${what}: ${code} has the status of the registry`);
    assert.ok(
      routeErrors(route).includes(code),
      `${what} answered ${code}, which the route does not declare (add it to its config.api.errors)`,
    );
    const seen = this.#answered.get(key) ?? new Set();
    this.#answered.set(key, seen.add(code));
  }

  /** Every code of the (at least `min`) declaring routes was answered in some situation: no stale declaration. */
  assertEachAnswered(min: number): void {
    assert.ok(this.#declared.size >= min, `only ${this.#declared.size} routes declared their errors`);
    for (const [key, codes] of this.#declared) {
      const seen = this.#answered.get(key) ?? new Set();
      const never = codes.filter((code) => !seen.has(code));
      assert.deepEqual(never, [], `${key} declares ${never.join(', ')} but never answered it`);
    }
  }
}

const routeKey = (route: RegisteredRoute): string => `${route.method.toUpperCase()} ${route.url}`;

/**
 * Every operation of an OpenAPI document lists its path parameters, and answers each of its
 * `x-error-codes` under the status of the registry; `unauthorized`: an operation with no
 * `security: []` (not public) lists EC_UNAUTHORIZED.
 */
export function assertOperationsDocumented(doc: Record<string, unknown>, { unauthorized = false } = {}): void {
  type Op = Record<string, unknown>;
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Op>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const what = `${method.toUpperCase()} ${path}`;
      const parameters = op.parameters as { name: string; in: string }[];
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        assert.ok(
          parameters.some((p) => p.name === name && p.in === 'path'),
          `${what} documents its path parameter ${name}`,
        );
      }
      const codes = op['x-error-codes'] as string[];
      const responses = op.responses as Record<string, { description: string }>;
      if (unauthorized && op.security === undefined)
        assert.ok(codes.includes('EC_UNAUTHORIZED'), `${what} needs a token`);
      for (const code of codes) {
        const status = String(ERROR_CODES[code as ErrorCode].status);
        assert.ok(responses[status]?.description.split(', ').includes(code), `${what} answers ${code} as ${status}`);
      }
    }
  }
}
