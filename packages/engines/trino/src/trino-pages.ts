import { EngineError } from '@engineconn/core';
import type { Query, QueryResult, Trino } from 'trino-client';

/** trino-client's HTTP client: its `request` adds the session headers and tracks Set-* responses. */
interface TrinoHttp {
  request<T>(cfg: { url: string; method?: string; signal?: AbortSignal }): Promise<T>;
}

const RETRY_STATUSES = new Set([502, 503, 504]);
const MAX_RETRIES = 20;

/**
 * A submitted query whose pages we walk ourselves. trino-client's own iterator hides the first
 * response (and with it the query id needed to cancel) and skips pages without data (and with them
 * the stats that carry progress), so we take its client and first page and follow `nextUri` here.
 */
export class TrinoQuery {
  readonly first: QueryResult;
  readonly #http: TrinoHttp;

  private constructor(first: QueryResult, http: TrinoHttp) {
    this.first = first;
    this.#http = http;
  }

  static async submit(trino: Trino, query: Query): Promise<TrinoQuery> {
    const iterator = await withRetry(() => trino.query(query), new AbortController().signal);
    // Pinned trino-client 0.2.9: Iterator { iter: QueryIterator { client, queryResult } }.
    const inner = (iterator as unknown as { iter?: { client?: TrinoHttp; queryResult?: QueryResult } }).iter;
    if (!inner || typeof inner.client?.request !== 'function' || typeof inner.queryResult !== 'object') {
      throw new EngineError('trino-client internals differ from version 0.2.9, which this engine is built against.');
    }
    return new TrinoQuery(inner.queryResult, inner.client);
  }

  /** GET `nextUri`, retrying 502/503/504 after 50–100 ms as the protocol asks. */
  next(nextUri: string, signal: AbortSignal): Promise<QueryResult> {
    return withRetry(() => this.#http.request<QueryResult>({ url: nextUri, signal }), signal);
  }
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { response?: { status?: unknown } }).response?.status;
  return typeof status === 'number' ? status : undefined;
}

async function withRetry<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const status = httpStatus(err);
      if (status === undefined || !RETRY_STATUSES.has(status) || attempt >= MAX_RETRIES || signal.aborted) {
        throw toEngineError(err);
      }
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 50));
    }
  }
}

function toEngineError(err: unknown): unknown {
  if ((err as { name?: unknown }).name === 'CanceledError') return err;
  const status = httpStatus(err);
  if (status === undefined) return err;
  const data = (err as { response?: { data?: unknown } }).response?.data;
  const body = typeof data === 'string' ? data.trim().slice(0, 500) : JSON.stringify(data ?? '').slice(0, 500);
  return new EngineError(`Trino answered HTTP ${status}${body ? `: ${body}` : ''}`, { cause: err });
}
