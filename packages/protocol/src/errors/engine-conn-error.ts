import type { ErrorBody } from '../http/responses.js';
import { ERROR_CODES, type ErrorCode, isErrorCode } from './error-codes.js';

/*
 * A process can hold two copies of this class: an engine loaded from a module path brings its own
 * @engineconn/core (and protocol) beside the bundled one, and a program may use the client next to
 * a server of another install. `instanceof` compares prototypes, so it would miss the other copy's
 * errors and turn an engine's EC_ENGINE_ERROR into EC_INTERNAL. Every copy therefore brands its
 * errors with the same registered symbol and recognises the brand, not the prototype.
 */
const BRAND = Symbol.for('@engineconn/protocol.EngineConnError');

/** True for an EngineConnError of any copy of this package whose code this copy knows. */
export function isEngineConnError(value: unknown): value is EngineConnError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    isErrorCode((value as { code?: unknown }).code)
  );
}

/**
 * Every failure the EngineConn reports carries a stable `code` and the HTTP status the registry
 * gives that code. The message is for people: it says what went wrong and what to do about it.
 */
export class EngineConnError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineConnError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `err instanceof EngineConnError` holds for every copy's errors; a subclass (`instanceof
   * BusyError`) keeps the ordinary prototype test, as its identity is the class, not the code.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof, maybe a subclass.
    if (this === EngineConnError) return isEngineConnError(value);
    // biome-ignore lint/complexity/noThisInStatic: as above.
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message };
  }

  /** Wraps anything thrown into an EngineConnError, keeping a code it already carries. */
  static from(err: unknown, fallback: ErrorCode = 'EC_INTERNAL'): EngineConnError {
    if (isEngineConnError(err)) return err;
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      return new EngineConnError(isErrorCode(code) ? code : fallback, err.message || String(err), { cause: err });
    }
    return new EngineConnError(fallback, String(err));
  }
}
