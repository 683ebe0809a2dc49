import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';

/** What went wrong talking to the coordinator, once retrying no longer helps. */
export class TrinoHttpError extends Error {
  readonly status: number | undefined;
  /** e.g. ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET: the coordinator could not be reached. */
  readonly networkCode: string | undefined;

  constructor(message: string, opts: { status?: number; networkCode?: string; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'TrinoHttpError';
    this.status = opts.status;
    this.networkCode = opts.networkCode;
  }
}

/** Response headers by (lower-case) name; a repeated header reads as its values joined by ", ". */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface HttpAnswer {
  status: number;
  headers: HeaderReader;
  text: string;
}

function headerReader(headers: Record<string, string | string[] | undefined>): HeaderReader {
  return {
    get(name) {
      const value = headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

export interface RetryPolicy {
  /** How long a request keeps being retried (502/503/504, and lost connections where safe). */
  retryForMs: number;
  /**
   * Waits between attempts, rejecting when `signal` fires. Default: a timer. Tests pass one that
   * records how long it was asked to wait, to check the Retry-After was honoured without a clock.
   */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

function timerSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return sleep(ms, undefined, signal ? { signal } : {});
}

/**
 * The protocol: 502, 503 and 504 mean "the coordinator is busy or restarting": try again. 429 is a
 * gateway's (trino-gateway, a proxy) "too many requests"; with 503 it may say when in Retry-After.
 */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** The longest Retry-After honoured as given; past it the request is retried sooner. */
const MAX_RETRY_AFTER_MS = 10_000;

/** Retry-After in milliseconds (seconds, or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP date names its day and month; Date.parse would also read '-5' as a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** A request that never reached the coordinator (so a POST can be re-sent safely). */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

export function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ABORT_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err as { name?: unknown }).name === 'AbortError';
}

/**
 * One protocol request with the protocol's retries: a 429/502/503/504 answer is retried after its
 * Retry-After, else with a short, growing, jittered back-off; a lost connection is retried for
 * GET/DELETE (Trino answers a repeated nextUri with the same page) and, for a POST, only when the
 * request never connected (so a statement is never submitted twice). Gives up after `retryForMs`,
 * saying why.
 *
 * Sent with undici's `request` on the client's own connection pool rather than `fetch`: a queued
 * query costs one request a second for as long as it waits, and `fetch` (WHATWG Request, Response,
 * Headers and streams around the same undici client) costs about three times the CPU per request.
 */
export async function trinoRequest(
  url: string,
  init: { method: 'GET' | 'POST' | 'DELETE'; headers: Record<string, string>; body?: string; signal?: AbortSignal },
  policy: RetryPolicy,
  dispatcher: Dispatcher,
): Promise<HttpAnswer> {
  const giveUpAt = performance.now() + policy.retryForMs;
  for (let attempt = 0; ; attempt++) {
    let retryReason: string;
    let last: { status?: number; networkCode?: string; cause?: unknown };
    let serverWaitMs: number | undefined;
    try {
      const res = await request(url, {
        method: init.method,
        headers: init.headers,
        dispatcher,
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
      const text = await res.body.text();
      const headers = headerReader(res.headers);
      if (!RETRY_STATUSES.has(res.statusCode)) return { status: res.statusCode, headers, text };
      retryReason = `HTTP ${res.statusCode}`;
      last = { status: res.statusCode };
      serverWaitMs = retryAfterMs(headers.get('retry-after'));
    } catch (err) {
      if (isAbort(err, init.signal)) throw err;
      const code = networkCode(err);
      const safe = init.method !== 'POST' || (code !== undefined && NOT_CONNECTED.has(code));
      const reason = code ?? (err as Error).message;
      if (!safe) {
        throw new TrinoHttpError(`the connection to the coordinator was lost (${reason})`, {
          ...(code ? { networkCode: code } : {}),
          cause: err,
        });
      }
      retryReason = reason;
      last = { ...(code ? { networkCode: code } : {}), cause: err };
    }
    if (performance.now() >= giveUpAt) {
      const what = last.status !== undefined ? `answered ${retryReason}` : `could not be reached (${retryReason})`;
      throw new TrinoHttpError(
        `the coordinator ${what} for ${Math.round(policy.retryForMs / 1000)} s of retries (${attempt + 1} attempts)`,
        last,
      );
    }
    const backoff = Math.min(1000, 50 * 2 ** Math.min(attempt, 5));
    const wait = serverWaitMs ?? backoff / 2 + Math.random() * (backoff / 2);
    // Not unref()ed: a request being retried is live work that must keep the process up.
    await (policy.sleep ?? timerSleep)(Math.min(wait, Math.max(0, giveUpAt - performance.now())), init.signal);
  }
}
