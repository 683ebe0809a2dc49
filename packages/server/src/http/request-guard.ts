import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { EngineConnError } from '@engineconn/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Probes answer any Host and Origin: orchestrators call them by names the EC cannot know. */
    anyHost?: boolean;
  }
}

export interface RequestGuardOptions {
  /** The address the server binds (`--host`): a name, an IP address, or a wildcard. */
  bindHost?: string;
  /** `--public-url`s: the names (and origins) the EngineConn is reached by, e.g. behind a proxy. */
  publicUrls?: readonly string[];
  /** `--allow-origin`s: web origins besides the EngineConn's own whose pages may call it. */
  allowOrigins?: readonly string[];
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** `Origin`-style `scheme://host[:port]`, lower-cased, default ports dropped; null when not a URL. */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** The host name of a `Host` header: lower-cased, without port or IPv6 brackets. */
function hostNameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  const colon = host.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address, not host:port.
  const name = colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
  return name.toLowerCase();
}

/**
 * Same origin only (docs/security.md#the-rules), checked before authentication on every request and WebSocket
 * upgrade but the probes:
 * - `Host` must be an IP address, `localhost`, the bound host name (the machine's name with a
 *   wildcard bind) or a `--public-url` host. DNS rebinding needs a name the attacker controls that
 *   resolves to this machine; a browser sends that name as Host, and it is none of these.
 * - `Origin`, when sent (browsers send it on every cross-origin request, every POST and every
 *   WebSocket), must be the EngineConn's own (this request's scheme and Host), a `--public-url`
 *   origin, or an `--allow-origin`. `Origin: null` (sandboxed frames, files) is never allowed.
 * - A request with a body must send it as `application/json`: forms and `text/plain` are what a
 *   page of another site may send without a CORS preflight.
 */
export function installRequestGuard(app: FastifyInstance, opts: RequestGuardOptions = {}): void {
  const bind = (opts.bindHost ?? '127.0.0.1').toLowerCase();
  const names = new Set(['localhost', hostNameOf(bind)]);
  if (WILDCARDS.has(bind)) names.add(hostname().toLowerCase());
  const origins = new Set<string>();
  for (const url of opts.publicUrls ?? []) {
    const origin = normalizeOrigin(url);
    if (!origin) throw new EngineConnError('EC_CONFIG_INVALID', `--public-url must be an http(s) URL; got '${url}'.`);
    origins.add(origin);
    names.add(new URL(origin).hostname.replace(/^\[|\]$/g, ''));
  }
  for (const value of opts.allowOrigins ?? []) {
    const origin = normalizeOrigin(value);
    if (!origin) {
      throw new EngineConnError(
        'EC_CONFIG_INVALID',
        `--allow-origin must be an origin like https://notebooks.example.com; got '${value}'.`,
      );
    }
    origins.add(origin);
  }

  const hostAllowed = (host: string): boolean => {
    const name = hostNameOf(host);
    return isIP(name) !== 0 || names.has(name);
  };

  // A callback hook, not an async one: it runs on every request, and an async hook costs a promise
  // and a trip through the microtask queue each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (request.headers.upgrade !== undefined) closeIfRefused(request, reply);
    done(request.routeOptions.config?.anyHost ? undefined : refusal(request, hostAllowed, origins));
  });
}

/** Why the guard refuses the request, or undefined when it passes (a value, not a throw: the hook hands it to `done`). */
function refusal(
  request: FastifyRequest,
  hostAllowed: (host: string) => boolean,
  origins: ReadonlySet<string>,
): EngineConnError | undefined {
  const host = request.headers.host;
  if (host !== undefined && !hostAllowed(host)) {
    return new EngineConnError(
      'EC_FORBIDDEN_ORIGIN',
      `This EngineConn does not serve the host '${host}'. Call it by its address or localhost, or start it with --public-url naming that host.`,
    );
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !originAllowed(request, origin, origins)) {
    return new EngineConnError(
      'EC_FORBIDDEN_ORIGIN',
      `Requests from the web origin '${origin}' are refused: only this EngineConn's own pages may call it. Start it with --allow-origin ${origin} to trust that site.`,
    );
  }
  if (hasBody(request)) {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return new EngineConnError(
        'EC_UNSUPPORTED_MEDIA_TYPE',
        `Send the request body as Content-Type: application/json${type ? `, not ${type}` : ''}.`,
      );
    }
  }
  return undefined;
}

/**
 * A WebSocket upgrade refused here (or by auth) is answered before @fastify/websocket's own hooks
 * have marked the request as one, so nothing would close its socket: every refused upgrade would
 * leak one (and keep the server from closing). A refused upgrade's socket is closed once the answer
 * is out. Only upgrade requests pay for the listener.
 */
function closeIfRefused(request: FastifyRequest, reply: FastifyReply): void {
  reply.raw.once('finish', () => {
    if (reply.statusCode >= 400) request.raw.socket.destroy();
  });
}

function originAllowed(request: FastifyRequest, origin: string, allowed: ReadonlySet<string>): boolean {
  const normalized = normalizeOrigin(origin);
  if (normalized === null) return false;
  if (allowed.has(normalized)) return true;
  return normalized === normalizeOrigin(`${request.protocol}://${request.headers.host ?? ''}`);
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}
