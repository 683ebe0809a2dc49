import { EngineConnError, type ErrorCode, errorCodeForStatus, isErrorCode } from '@engineconn/protocol/constants';

/**
 * A failure seen by the client. `code` is the server's stable `EC_*` code (or `EC_UNREACHABLE` when no
 * EngineConn answered); `status` is the HTTP status of the answer, 0 when there was none (connection
 * refused or dropped). An aborted call rejects with the signal's reason instead, as fetch does.
 */
export class EngineConnClientError extends EngineConnError {
  override readonly status: number;

  constructor(code: ErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'EngineConnClientError';
    this.status = status;
  }

  /** True when retrying the same request later may succeed (the transport failed, not the request). */
  get transient(): boolean {
    if (this.code === 'EC_UNREACHABLE') return this.status === 0 && !isRefused(this.cause);
    return this.status === 502 || this.status === 504 || (this.status === 503 && this.code === 'EC_INTERNAL');
  }

  static unreachable(url: string, cause: unknown): EngineConnClientError {
    const message = isRefused(cause)
      ? `no EngineConn at ${url}: start one with \`engineconn start\``
      : `lost the connection to the EngineConn at ${url}: ${describe(cause)}`;
    return new EngineConnClientError('EC_UNREACHABLE', 0, message, { cause });
  }

  /** Builds the error from a non-2xx answer, reading the `{"error": {code, message}}` body when present. */
  static fromBody(status: number, body: unknown, fallbackMessage: string): EngineConnClientError {
    const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      if (isErrorCode(code)) {
        return new EngineConnClientError(code, status, typeof message === 'string' ? message : fallbackMessage);
      }
    }
    return new EngineConnClientError(errorCodeForStatus(status), status, fallbackMessage);
  }
}

/** Node's fetch reports a refused connection as `TypeError('fetch failed')` whose cause (or one of an
 *  AggregateError's errors, when both IPv4 and IPv6 were tried) has `code: 'ECONNREFUSED'`. */
export function isRefused(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  if ((err as { code?: unknown }).code === 'ECONNREFUSED') return true;
  if (err instanceof AggregateError && err.errors.some((e) => isRefused(e, depth + 1))) return true;
  return isRefused((err as { cause?: unknown }).cause, depth + 1);
}

function describe(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let i = 0; i < 4 && current instanceof Error; i++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(': ') || String(err);
}
