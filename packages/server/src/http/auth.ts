import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Caller, ConfigInvalidError, EngineConnError } from '@engineconn/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; set by the auth hook on every non-public route. */
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    /** Public routes (probes) skip authentication. */
    public?: boolean;
    /** Also accept the token as `?token=` (EventSource and WebSocket in browsers cannot set headers). */
    queryToken?: boolean;
  }
}

export const AuthFileSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        token: z.string().min(1, 'must not be empty'),
        user: z.string().min(1, 'must not be empty'),
        admin: z.boolean().default(false),
      }),
    )
    .min(1, 'must list at least one token'),
});

export type AuthConfig = z.output<typeof AuthFileSchema>;

/** Reads and checks `--auth-file`; any problem is EC_CONFIG_INVALID naming the file and the field. */
export async function loadAuthFile(path: string): Promise<AuthConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigInvalidError(`Cannot read the auth file '${path}': ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigInvalidError(`The auth file '${path}' is not valid JSON: ${(err as Error).message}`);
  }
  return parseAuthConfig(json, `The auth file '${path}'`);
}

export function parseAuthConfig(json: unknown, what = 'The auth config'): AuthConfig {
  const result = AuthFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new ConfigInvalidError(
      `${what} is invalid at '${path || '(root)'}': ${issue.message}. Expected {"tokens": [{"token": "...", "user": "alice", "admin": false}]}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of result.data.tokens) {
    if (seen.has(entry.token))
      throw new ConfigInvalidError(`${what} lists the same token twice (user '${entry.user}').`);
    seen.add(entry.token);
  }
  return result.data;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Resolves the caller of a request. With an auth file: the bearer token's user. Without: loopback
 * connections only, and every caller is the EC's owner.
 */
export class Authenticator {
  readonly #tokens: { digest: Buffer; caller: Caller }[];

  constructor(
    private readonly auth: AuthConfig | null,
    readonly owner: string,
  ) {
    this.#tokens = (auth?.tokens ?? []).map((t) => ({
      digest: digest(t.token),
      caller: { user: t.user, admin: t.admin },
    }));
  }

  get enabled(): boolean {
    return this.auth !== null;
  }

  authenticate(headers: { authorization?: string | undefined }, remoteAddress: string | undefined): Caller {
    if (!this.enabled) {
      if (!isLoopback(remoteAddress)) {
        throw new EngineConnError(
          'EC_FORBIDDEN',
          'This EngineConn runs without an auth file and accepts only loopback connections; start it with --auth-file to allow remote callers.',
        );
      }
      return { user: this.owner, admin: false };
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match) {
      throw new EngineConnError('EC_UNAUTHORIZED', 'Send your token as "Authorization: Bearer <token>".');
    }
    const presented = digest(match[1]!);
    // Compare against every entry without stopping early, so timing does not reveal which one matched.
    let found: Caller | null = null;
    for (const entry of this.#tokens) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.caller;
    }
    if (!found) throw new EngineConnError('EC_UNAUTHORIZED', 'The bearer token is not listed in the auth file.');
    return found;
  }

  isOwnerOrAdmin(caller: Caller): boolean {
    return caller.admin || caller.user === this.owner;
  }
}

/** The Authorization header, or for `queryToken` routes a `?token=` turned into one. */
export function authorizationOf(request: FastifyRequest): string | undefined {
  if (request.headers.authorization || !request.routeOptions.config?.queryToken) return request.headers.authorization;
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined;
}

/** Authenticates every request except routes marked `config: { public: true }`. */
export function installAuth(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return;
    request.caller = authenticator.authenticate(
      { authorization: authorizationOf(request) },
      request.socket.remoteAddress,
    );
  });
}

/** The authenticated caller; routes behind the auth hook always have one. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new EngineConnError('EC_UNAUTHORIZED', 'This request was not authenticated.');
  return request.caller;
}
