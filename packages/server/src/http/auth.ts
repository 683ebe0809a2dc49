import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

/** `--share-level` (docs/security.md): who may submit to an EngineConn besides its owner and admins. */
export const SHARE_LEVELS = ['user', 'server'] as const;
export type ShareLevel = (typeof SHARE_LEVELS)[number];

export function parseShareLevel(value: string | undefined): ShareLevel {
  if (value === undefined) return 'user';
  if (!(SHARE_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigInvalidError(`--share-level must be one of ${SHARE_LEVELS.join(', ')}; got '${value}'.`);
  }
  return value as ShareLevel;
}

/** A fresh owner token: 32 random bytes, URL-safe, so it can ride in the console URL. */
export function generateOwnerToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface AuthenticatorOptions {
  /** The parsed `--auth-file`, or null: then the owner token is the one credential. */
  auth: AuthConfig | null;
  /** The owner token (required without an auth file, ignored with one). */
  ownerToken?: string | undefined;
  /** The EngineConn's owner (`--user`). */
  owner: string;
  shareLevel?: ShareLevel;
}

/**
 * Resolves the caller of a request from its bearer token: one of the auth file's, or, without an
 * auth file, the owner token (then only loopback connections are served, and the caller is the
 * owner). There is no unauthenticated access to anything but the probes.
 */
export class Authenticator {
  readonly #tokens: { digest: Buffer; caller: Caller }[];
  readonly owner: string;
  readonly shareLevel: ShareLevel;
  /** The owner token when there is no auth file; null with one. */
  readonly ownerToken: string | null;

  constructor(private readonly options: AuthenticatorOptions) {
    this.owner = options.owner;
    this.shareLevel = options.shareLevel ?? 'user';
    if (options.auth) {
      this.ownerToken = null;
      this.#tokens = options.auth.tokens.map((t) => ({
        digest: digest(t.token),
        caller: { user: t.user, admin: t.admin },
      }));
    } else {
      if (!options.ownerToken) throw new ConfigInvalidError('An EngineConn without an auth file needs an owner token.');
      this.ownerToken = options.ownerToken;
      this.#tokens = [{ digest: digest(options.ownerToken), caller: { user: options.owner, admin: false } }];
    }
  }

  /** True with an auth file (many users); false when the owner token is the one credential. */
  get enabled(): boolean {
    return this.options.auth !== null;
  }

  authenticate(headers: { authorization?: string | undefined }, remoteAddress: string | undefined): Caller {
    if (!this.enabled && !isLoopback(remoteAddress)) {
      throw new EngineConnError(
        'EC_FORBIDDEN',
        'This EngineConn runs without an auth file and accepts only loopback connections; start it with --auth-file to allow remote callers.',
      );
    }
    const where = this.enabled
      ? 'a token from its auth file'
      : "its owner token: the engineconn CLI of the EngineConn's OS user finds it by itself; it is also in the ready file and the console URL printed at start";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match) {
      throw new EngineConnError(
        'EC_UNAUTHORIZED',
        `This EngineConn requires a token: send "Authorization: Bearer <token>" with ${where}.`,
      );
    }
    const presented = digest(match[1]!);
    // Compare against every entry without stopping early, so timing does not reveal which one matched.
    let found: Caller | null = null;
    for (const entry of this.#tokens) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.caller;
    }
    if (!found) throw new EngineConnError('EC_UNAUTHORIZED', `The bearer token is not valid here; send ${where}.`);
    return found;
  }

  isOwnerOrAdmin(caller: Caller): boolean {
    return caller.admin || caller.user === this.owner;
  }

  /** Under share level `user` only the owner and admins may submit tasks or take the lock. */
  requireSubmitter(caller: Caller): void {
    if (this.shareLevel === 'server' || this.isOwnerOrAdmin(caller)) return;
    throw new EngineConnError(
      'EC_FORBIDDEN',
      `This EngineConn belongs to '${this.owner}' (share level user): only '${this.owner}' or an admin may submit to it. Use an EngineConn of your own, or ask for one started with --share-level server.`,
    );
  }
}

/** The Authorization header, or for `queryToken` routes a `?token=` turned into one. */
export function authorizationOf(request: FastifyRequest): string | undefined {
  if (request.headers.authorization || !request.routeOptions.config?.queryToken) return request.headers.authorization;
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined;
}

/** The last Authorization header a connection presented that authenticated, and as whom. */
interface Verified {
  readonly authorization: Buffer;
  readonly caller: Caller;
}

/** Whether `authorization` is, byte for byte, the connection's verified header (constant time). */
function sameHeader(verified: Verified, authorization: string): boolean {
  const presented = Buffer.from(authorization, 'utf8');
  return presented.length === verified.authorization.length && timingSafeEqual(presented, verified.authorization);
}

/**
 * Authenticates every request except routes marked `config: { public: true }`. A keep-alive
 * connection that presents the header it authenticated with before is not checked again (the
 * regex, a SHA-256 and a compare per token, on every request of a busy client): an Authenticator's
 * tokens are fixed for its life (an auth file is read once, at start) and a connection's remote
 * address cannot change, so the same header on the same connection gets the same answer. Any
 * other header is checked in full, and a refused one leaves the connection's verified header as
 * it was. The comparison is constant-time, as the digest check is, since a proxy may carry
 * several clients' requests over one connection.
 */
export function installAuth(app: FastifyInstance, authenticator: Authenticator): void {
  const verifiedBySocket = new WeakMap<object, Verified>();
  app.decorateRequest('caller', null);
  const callerOfRequest = (request: FastifyRequest): Caller => {
    const authorization = authorizationOf(request);
    const verified = verifiedBySocket.get(request.socket);
    if (verified && authorization !== undefined && sameHeader(verified, authorization)) return verified.caller;
    const caller = authenticator.authenticate({ authorization }, request.socket.remoteAddress);
    if (authorization !== undefined) {
      verifiedBySocket.set(request.socket, { authorization: Buffer.from(authorization, 'utf8'), caller });
    }
    return caller;
  };
  // A callback hook: an async one would cost every request a promise and a microtask.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config?.public) {
      done();
      return;
    }
    try {
      request.caller = callerOfRequest(request);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
}

/** The authenticated caller; routes behind the auth hook always have one. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new EngineConnError('EC_UNAUTHORIZED', 'This request was not authenticated.');
  return request.caller;
}
