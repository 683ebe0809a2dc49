import { setTimeout as sleep } from 'node:timers/promises';

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

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface RetryPolicy {
  /** How long a request keeps being retried (502/503/504, and lost connections where safe). */
  retryForMs: number;
}

/** The protocol: 502, 503 and 504 mean "the coordinator is busy or restarting": try again. */
const RETRY_STATUSES = new Set([502, 503, 504]);

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
 * One protocol request with the protocol's retries: a 502/503/504 answer is retried with a short,
 * growing, jittered back-off; a lost connection is retried for GET/DELETE (Trino answers a repeated
 * nextUri with the same page) and, for a POST, only when the request never connected (so a
 * statement is never submitted twice). Gives up after `retryForMs`, saying why.
 */
export async function trinoRequest(
  url: string,
  init: { method: 'GET' | 'POST' | 'DELETE'; headers: Record<string, string>; body?: string; signal?: AbortSignal },
  policy: RetryPolicy,
): Promise<HttpAnswer> {
  const giveUpAt = performance.now() + policy.retryForMs;
  for (let attempt = 0; ; attempt++) {
    let retryReason: string;
    let last: { status?: number; networkCode?: string; cause?: unknown };
    try {
      const res = await fetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
      const text = await res.text();
      if (!RETRY_STATUSES.has(res.status)) return { status: res.status, headers: res.headers, text };
      retryReason = `HTTP ${res.status}`;
      last = { status: res.status };
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
    // Not unref()ed: a request being retried is live work that must keep the process up.
    await sleep(backoff / 2 + Math.random() * (backoff / 2), undefined, init.signal ? { signal: init.signal } : {});
  }
}
