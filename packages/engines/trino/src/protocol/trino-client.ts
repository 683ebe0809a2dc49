import { Agent } from 'undici';
import type { ClientSession } from './client-session.js';
import { type RetryPolicy, TrinoHttpError, trinoRequest } from './trino-http.js';
import { MalformedPageError, parsePage, type TrinoPage } from './trino-page.js';

export interface TrinoClientOptions {
  /** e.g. `http://127.0.0.1:8080`, without a trailing slash. */
  server: string;
  retry: RetryPolicy;
}

/** What GET /v1/query/{id} says about a query's end (the full answer is much larger). */
export interface QueryEnd {
  state: string;
  errorName: string | undefined;
}

function httpFailure(status: number, text: string, what: string): TrinoHttpError {
  const body = text.trim().slice(0, 500);
  return new TrinoHttpError(`Trino answered HTTP ${status} to ${what}${body ? `: ${body}` : ''}`, { status });
}

/**
 * Our client of Trino's REST protocol on undici: POST /v1/statement, then follow `nextUri` at once
 * until there is none, as Trino's own clients (Java, Python, Go) do; DELETE to cancel. The pacing is
 * the coordinator's: it holds a poll of a queued or running query until something changes or a
 * second has passed (a client's `maxWait` can only shorten that), so a queued query costs one
 * request a second and nothing is gained by waiting here. It holds nothing between requests, so thousands
 * of queries can be in flight from one process; the session state lives in a ClientSession.
 */
export class TrinoClient {
  readonly server: string;
  readonly retry: RetryPolicy;
  /** Keep-alive connections to the coordinator, one per request in flight (a long poll holds one). */
  readonly #pool = new Agent({ keepAliveTimeout: 30_000 });

  constructor(opts: TrinoClientOptions) {
    this.server = opts.server.replace(/\/+$/, '');
    this.retry = opts.retry;
  }

  /** Closes the idle connections; requests still in flight finish first. Idempotent. */
  async close(): Promise<void> {
    if (!this.#pool.closed) await this.#pool.close();
  }

  /**
   * Submits one statement. Resolves with the query as soon as the coordinator has accepted it, so
   * its id (needed to cancel it) is known before any page is followed.
   */
  async submit(sql: string, session: ClientSession, signal?: AbortSignal): Promise<TrinoQuery> {
    const url = `${this.server}/v1/statement`;
    const answer = await trinoRequest(
      url,
      {
        method: 'POST',
        headers: { ...session.headers(), 'Content-Type': 'text/plain; charset=utf-8' },
        body: sql,
        ...(signal ? { signal } : {}),
      },
      this.retry,
      this.#pool,
    );
    if (answer.status !== 200) throw httpFailure(answer.status, answer.text, 'POST /v1/statement');
    session.apply(answer.headers);
    return new TrinoQuery(this, session, parsePage(answer.text, 'POST /v1/statement'));
  }

  /** GET a page; 502/503/504 and lost connections are retried (a repeated nextUri gets the same page). */
  async page(uri: string, session: ClientSession, signal?: AbortSignal): Promise<TrinoPage> {
    const answer = await trinoRequest(
      uri,
      { method: 'GET', headers: session.headers(), ...(signal ? { signal } : {}) },
      this.retry,
      this.#pool,
    );
    if (answer.status !== 200) throw httpFailure(answer.status, answer.text, `GET ${new URL(uri).pathname}`);
    session.apply(answer.headers);
    return parsePage(answer.text, `GET ${new URL(uri).pathname}`);
  }

  /** DELETE /v1/query/{id}: the coordinator cancels the query (it ends FAILED with USER_CANCELED). */
  async cancel(queryId: string, session: ClientSession): Promise<void> {
    const answer = await trinoRequest(
      `${this.server}/v1/query/${encodeURIComponent(queryId)}`,
      { method: 'DELETE', headers: session.headers() },
      this.retry,
      this.#pool,
    );
    if (answer.status >= 300 && answer.status !== 404) {
      throw httpFailure(answer.status, answer.text, `DELETE /v1/query/${queryId}`);
    }
  }

  /** The coordinator's own record of a query: its state and, once it failed, the error's name. */
  async queryEnd(queryId: string, session: ClientSession): Promise<QueryEnd> {
    const what = `GET /v1/query/${queryId}`;
    const answer = await trinoRequest(
      `${this.server}/v1/query/${encodeURIComponent(queryId)}`,
      { method: 'GET', headers: session.headers() },
      this.retry,
      this.#pool,
    );
    if (answer.status !== 200) throw httpFailure(answer.status, answer.text, what);
    // The answer holds the whole plan and stats; only two fields are read (no exact numbers needed).
    const info = JSON.parse(answer.text) as { state?: unknown; errorCode?: { name?: unknown } };
    if (typeof info.state !== 'string') throw new MalformedPageError(`${what} has no state`);
    return { state: info.state, errorName: typeof info.errorCode?.name === 'string' ? info.errorCode.name : undefined };
  }
}

/** One submitted statement; `page` is the latest answer, `next()` follows its nextUri. */
export class TrinoQuery {
  readonly id: string;
  readonly infoUri: string | undefined;
  #page: TrinoPage;
  readonly #client: TrinoClient;
  readonly #session: ClientSession;

  constructor(client: TrinoClient, session: ClientSession, first: TrinoPage) {
    this.#client = client;
    this.#session = session;
    this.#page = first;
    this.id = first.id;
    this.infoUri = first.infoUri;
  }

  get page(): TrinoPage {
    return this.#page;
  }

  get done(): boolean {
    return this.#page.nextUri === undefined;
  }

  async next(signal?: AbortSignal): Promise<TrinoPage> {
    const uri = this.#page.nextUri;
    if (uri === undefined) throw new Error(`query ${this.id} has no next page`);
    const page = await this.#client.page(uri, this.#session, signal);
    if (page.id !== this.id) {
      throw new MalformedPageError(`a page of query ${this.id} came back for query ${page.id}`);
    }
    this.#page = page;
    return page;
  }
}
