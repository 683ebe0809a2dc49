/**
 * The stable error codes of the EngineConn and its manager, each with its one HTTP status: no call
 * site chooses a status, so a code always answers the same way. Callers match on `code`, never on
 * the message, so a code is never renamed or reused. `docs/errors.md` lists every code; a test keeps
 * the two in sync.
 */
export const ERROR_CODES = {
  EC_BAD_REQUEST: { status: 400, summary: 'The request is malformed or a field has the wrong type.' },
  EC_UNAUTHORIZED: { status: 401, summary: 'No bearer token, or a token the EngineConn does not know.' },
  EC_FORBIDDEN: {
    status: 403,
    summary: "The caller may not do this (another user's EngineConn, not the owner or an admin, or not loopback).",
  },
  EC_FORBIDDEN_ORIGIN: {
    status: 403,
    summary: 'The request came from a web page of another origin, or named a Host the EngineConn does not serve.',
  },
  EC_NOT_FOUND: { status: 404, summary: 'No such route.' },
  EC_METHOD_NOT_ALLOWED: { status: 405, summary: 'The route exists but not with this HTTP method.' },
  EC_TASK_NOT_FOUND: { status: 404, summary: 'No such task, or the task belongs to another user.' },
  EC_RESULT_NOT_FOUND: { status: 404, summary: 'The task has no result set with that index.' },
  EC_BUSY: { status: 409, summary: 'The EngineConn cannot take another task or lock now.' },
  EC_PAYLOAD_TOO_LARGE: {
    status: 413,
    summary: 'The request body, or its labels or properties, is larger than the limit.',
  },
  EC_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The request body is not sent as application/json.' },
  EC_LOCK_INVALID: { status: 423, summary: 'The lock is unknown, expired or held by someone else.' },
  EC_HEADERS_TOO_LARGE: { status: 431, summary: 'The request headers are larger than the server accepts.' },
  EC_URI_TOO_LONG: {
    status: 414,
    summary: 'The request path, or one of its parameters, is longer than the server accepts.',
  },
  EC_LOCK_NOT_FOUND: { status: 404, summary: 'No such lock is held (it expired, was released, or never existed).' },
  EC_SHUTTING_DOWN: { status: 503, summary: 'The EngineConn is shutting down and accepts no new work.' },
  EC_UNHEALTHY: { status: 503, summary: 'The EngineConn is marked UnHealthy and accepts no new tasks.' },
  EC_INTERNAL: { status: 500, summary: 'An unexpected fault inside the EngineConn.' },
  EC_RESULT_CORRUPT: {
    status: 500,
    summary: "A stored result set's file no longer holds the rows written to it (damaged or cut short).",
  },
  EC_ILLEGAL_TRANSITION: { status: 500, summary: 'A lifecycle moved in a way its state machine forbids.' },
  EC_ENGINE_ERROR: { status: 500, summary: 'The engine rejected or failed the code (e.g. a SQL error).' },
  EC_ENGINE_CRASHED: { status: 500, summary: 'The engine process died while running the task.' },
  EC_TASK_CANCELLED: { status: 500, summary: 'The task was killed.' },
  EC_TASK_TIMEOUT: { status: 500, summary: "The task ran longer than its 'timeout' property." },
  EC_CALLER_GONE: { status: 500, summary: 'Nobody followed the task for longer than --caller-timeout.' },
  EC_UNKNOWN_ENGINE: { status: 400, summary: 'No engine plugin has that name.' },
  EC_CONFIG_INVALID: { status: 400, summary: 'A CLI flag, --conf option or config file value is invalid.' },
  EC_ENGINE_START_FAILED: { status: 502, summary: 'The engine session could not be created.' },
  EC_ENGINE_START_TIMEOUT: {
    status: 504,
    summary: 'An EngineConn the manager launched was not ready within --engine-start-timeout.',
  },
  EC_LIMIT_REACHED: { status: 429, summary: 'The manager runs as many EngineConns as --max-engines(-per-user) allow.' },
  EC_ENGINE_NOT_FOUND: { status: 404, summary: 'The manager knows no such engine, or it belongs to another user.' },
  EC_JOB_NOT_FOUND: { status: 404, summary: 'The manager knows no such job, or it belongs to another user.' },
  EC_ENGINE_LOST: {
    status: 502,
    summary: 'The EngineConn running the job was lost (its process died or stopped reporting).',
  },
  EC_SLOW_CONSUMER: { status: 429, summary: 'A live-event client fell too far behind and was cut off.' },
  EC_UNREACHABLE: {
    status: 503,
    summary: 'The client got no answer from an EngineConn at that URL (nothing listening, or the connection dropped).',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/**
 * The code for an error answer that carried none (a proxy's page, a framework's own refusal): the
 * generic code of its status class, so a caller still matches on a code.
 */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'EC_UNAUTHORIZED';
    case 403:
      return 'EC_FORBIDDEN';
    case 404:
      return 'EC_NOT_FOUND';
    case 405:
      return 'EC_METHOD_NOT_ALLOWED';
    case 413:
      return 'EC_PAYLOAD_TOO_LARGE';
    case 414:
      return 'EC_URI_TOO_LONG';
    case 415:
      return 'EC_UNSUPPORTED_MEDIA_TYPE';
    case 431:
      return 'EC_HEADERS_TOO_LARGE';
    default:
      return status >= 400 && status < 500 ? 'EC_BAD_REQUEST' : 'EC_INTERNAL';
  }
}
