import type { HeaderReader } from './trino-http.js';
/**
 * The client side of a Trino session. Trino keeps no connection: the client sends its catalog,
 * schema, session properties, prepared statements and transaction with every request, and the
 * coordinator asks it to change them through response headers (USE, SET SESSION, PREPARE, START
 * TRANSACTION…). One of these per task keeps one task's USE from leaking into another.
 */
export interface ClientSessionInit {
  user: string;
  source: string;
  catalog?: string;
  schema?: string;
  timeZone?: string;
  properties?: Record<string, string>;
  clientTags?: string[];
}

// Trino URL-encodes header values the way Java's URLEncoder does ('+' for a space).
function decode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function encode(value: string): string {
  return encodeURIComponent(value);
}

function splitPair(entry: string): [string, string] | undefined {
  const at = entry.indexOf('=');
  if (at <= 0) return undefined;
  return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
}

/** Header values can be repeated or comma-joined (repeats read as one value joined by ", "). */
function entries(headers: HeaderReader, name: string): string[] {
  const value = headers.get(name);
  if (value === null) return [];
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export class ClientSession {
  readonly user: string;
  readonly source: string;
  readonly timeZone: string | undefined;
  readonly clientTags: readonly string[];
  catalog: string | undefined;
  schema: string | undefined;
  path: string | undefined;
  transactionId: string | undefined;
  readonly properties = new Map<string, string>();
  readonly preparedStatements = new Map<string, string>();
  readonly roles = new Map<string, string>();
  authorizationUser: string | undefined;

  constructor(init: ClientSessionInit) {
    this.user = init.user;
    this.source = init.source;
    this.catalog = init.catalog;
    this.schema = init.schema;
    this.timeZone = init.timeZone;
    this.clientTags = init.clientTags ?? [];
    for (const [k, v] of Object.entries(init.properties ?? {})) this.properties.set(k, v);
  }

  /** The X-Trino-* request headers for the session as it is now. */
  headers(): Record<string, string> {
    const h: Record<string, string> = {
      'X-Trino-User': this.user,
      'X-Trino-Source': this.source,
      // Without it the coordinator rounds every time and timestamp to milliseconds (the legacy
      // protocol): TIMESTAMP '… 03:04:05.123456' would arrive as '.123', TIME '23:59:59.999999' as 00:00.
      'X-Trino-Client-Capabilities': 'PARAMETRIC_DATETIME',
    };
    if (this.catalog) h['X-Trino-Catalog'] = this.catalog;
    if (this.schema) h['X-Trino-Schema'] = this.schema;
    if (this.path) h['X-Trino-Path'] = this.path;
    if (this.timeZone) h['X-Trino-Time-Zone'] = this.timeZone;
    if (this.authorizationUser) {
      h['X-Trino-Original-User'] = this.user;
      h['X-Trino-User'] = this.authorizationUser;
    }
    if (this.clientTags.length) h['X-Trino-Client-Tags'] = this.clientTags.join(',');
    if (this.properties.size) {
      h['X-Trino-Session'] = [...this.properties].map(([k, v]) => `${k}=${encode(v)}`).join(',');
    }
    if (this.preparedStatements.size) {
      h['X-Trino-Prepared-Statement'] = [...this.preparedStatements].map(([k, v]) => `${k}=${encode(v)}`).join(',');
    }
    if (this.roles.size) h['X-Trino-Role'] = [...this.roles].map(([k, v]) => `${k}=${encode(v)}`).join(',');
    h['X-Trino-Transaction-Id'] = this.transactionId ?? 'NONE';
    return h;
  }

  /** Applies the coordinator's X-Trino-Set-*, -Clear-*, -Added-Prepare… answers of one response. */
  apply(headers: HeaderReader): void {
    const catalog = headers.get('x-trino-set-catalog');
    if (catalog !== null) this.catalog = catalog;
    const schema = headers.get('x-trino-set-schema');
    if (schema !== null) this.schema = schema;
    const path = headers.get('x-trino-set-path');
    if (path !== null) this.path = path;
    for (const entry of entries(headers, 'x-trino-set-session')) {
      const pair = splitPair(entry);
      if (pair) this.properties.set(pair[0], decode(pair[1]));
    }
    for (const name of entries(headers, 'x-trino-clear-session')) this.properties.delete(name);
    for (const entry of entries(headers, 'x-trino-added-prepare')) {
      const pair = splitPair(entry);
      if (pair) this.preparedStatements.set(pair[0], decode(pair[1]));
    }
    for (const name of entries(headers, 'x-trino-deallocated-prepare')) this.preparedStatements.delete(decode(name));
    for (const entry of entries(headers, 'x-trino-set-role')) {
      const pair = splitPair(entry);
      if (pair) this.roles.set(pair[0], decode(pair[1]));
    }
    const started = headers.get('x-trino-started-transaction-id');
    if (started !== null) this.transactionId = started;
    if (headers.get('x-trino-clear-transaction-id') !== null) this.transactionId = undefined;
    const authorization = headers.get('x-trino-set-authorization-user');
    if (authorization !== null) this.authorizationUser = authorization;
    if (headers.get('x-trino-reset-authorization-user') !== null) this.authorizationUser = undefined;
  }
}
