import { EngineConnError } from '@engineconn/core';

/** Where a connection went, without the password, for error messages. */
export interface ConnectionTarget {
  user?: string;
  host?: string;
  port?: number;
  database?: string;
}

export function describeTarget(t: ConnectionTarget): string {
  const host = t.host?.startsWith('/') ? `socket ${t.host}` : `${t.host ?? 'localhost'}:${t.port ?? 5432}`;
  return `${t.user ?? '?'}@${host}/${t.database ?? t.user ?? '?'}`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Turns a failed connect into EC_ENGINE_START_FAILED with a message that says what to fix: the most
 * common causes (wrong password, no password, unreachable server, unknown database, pg_hba refusal)
 * each get their own wording instead of the driver's terse text.
 */
export function connectError(err: unknown, target: ConnectionTarget, timeoutMs: number): EngineConnError {
  const where = describeTarget(target);
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  let text: string;
  if (code === '28P01') {
    text =
      `PostgreSQL rejected the password for ${where} (SQLSTATE 28P01: ${message}). ` +
      'Fix the password in postgres.url (postgresql://user:PASSWORD@host:port/db) or PGPASSWORD.';
  } else if (code === '28000') {
    text =
      `PostgreSQL refused ${where} (SQLSTATE 28000: ${message}). ` +
      "Check the user in postgres.url or PGUSER, and the server's pg_hba.conf.";
  } else if (code === '3D000') {
    text = `PostgreSQL has no such database for ${where} (SQLSTATE 3D000: ${message}). Fix the database name in postgres.url or PGDATABASE.`;
  } else if (/password must be a string|no password|password authentication/i.test(message)) {
    text =
      `PostgreSQL asks ${where} for a password but none was given (${message}). ` +
      'Put it in postgres.url (postgresql://user:PASSWORD@host:port/db) or set PGPASSWORD.';
  } else if (UNREACHABLE.has(code)) {
    text =
      `Cannot reach PostgreSQL at ${where} (${code}). Check that the server is running and that ` +
      'the host and port in postgres.url (or PGHOST/PGPORT) are right.';
  } else if (/timeout/i.test(message)) {
    text =
      `PostgreSQL at ${where} did not answer within ${timeoutMs} ms (${message}). Check the host and port in ` +
      'postgres.url (or PGHOST/PGPORT), firewalls, or raise postgres.connectTimeout.';
  } else {
    text = `Could not connect to PostgreSQL at ${where}: ${message}${code ? ` (${code})` : ''}.`;
  }
  return new EngineConnError('EC_ENGINE_START_FAILED', text, { cause: err });
}
