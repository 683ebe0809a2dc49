import { ERROR_CODES, type ErrorCode, isErrorCode } from './error-codes.js';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/**
 * Every failure the EngineConn reports carries a stable `code` and the HTTP status it maps to. The
 * message is for people: it says what went wrong and what to do about it.
 */
export class EngineConnError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineConnError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message };
  }

  /** Wraps anything thrown into an EngineConnError, keeping a code it already carries. */
  static from(err: unknown, fallback: ErrorCode = 'EC_INTERNAL'): EngineConnError {
    if (err instanceof EngineConnError) return err;
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      return new EngineConnError(isErrorCode(code) ? code : fallback, err.message || String(err), { cause: err });
    }
    return new EngineConnError(fallback, String(err));
  }
}
