import { createRequire } from 'node:module';
import { rootCertificates } from 'node:tls';
import { readRuntimeToken } from '../auth/runtime-tokens.js';
import { EngineConnClientError } from '../errors/engine-conn-client-error.js';
import { backoffDelay, DEFAULT_RETRY, type RetryOptions, sleep } from '../retry/backoff.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Retry transient failures (only for requests that are safe to repeat). */
  retry?: boolean;
}

/**
 * The one place that talks HTTP: base URL, bearer token, JSON bodies, the contract's error body, and
 * retries with jittered backoff for idempotent requests. A refused connection is never retried: an
 * EngineConn that is not listening will not start listening by itself.
 */
export class HttpTransport {
  readonly baseUrl: string;
  readonly retry: Required<RetryOptions>;
  #token: string | undefined;
  readonly #discover: boolean;
  readonly #fetch: FetchLike;
  /** PEM certificates to trust for an `https://` EngineConn (its own CA or self-signed certificate). */
  readonly ca: string | Buffer | undefined;

  constructor(options: {
    url: string;
    token?: string | undefined;
    runtimeToken?: boolean | undefined;
    fetch?: FetchLike | undefined;
    retry?: RetryOptions | undefined;
    ca?: string | Buffer | undefined;
  }) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.#token = options.token === '' ? undefined : options.token;
    this.#discover = options.runtimeToken ?? true;
    this.ca = options.ca;
    this.#fetch =
      options.fetch ?? (options.ca === undefined ? (input, init) => fetch(input, init) : trustingFetch(options.ca));
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /**
   * The given token; without one, the owner token an EngineConn of this OS user left in its runtime
   * file for this URL, read when first needed (so a client made before the EngineConn started finds it).
   */
  get token(): string | undefined {
    if (this.#token === undefined && this.#discover) this.#token = readRuntimeToken(this.baseUrl);
    return this.#token;
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Sends a request and returns the 2xx response; anything else becomes an EngineConnClientError. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    let attempt = 0;
    for (;;) {
      try {
        return await this.#once(method, path, options);
      } catch (err) {
        if (!(options.retry && err instanceof EngineConnClientError && err.transient && attempt < this.retry.retries)) {
          throw err;
        }
        await sleep(backoffDelay(attempt++, this.retry), options.signal);
      }
    }
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async #once(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const token = this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (options.signal) init.signal = options.signal;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await this.#fetch(this.url(path, options.query), init);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw EngineConnClientError.unreachable(this.baseUrl, err);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    throw EngineConnClientError.fromBody(
      response.status,
      body,
      `${method} ${path} answered ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`,
    );
  }
}

/**
 * fetch trusting `ca` as well as the system's roots. Node's own fetch takes no TLS options, so
 * undici (the library it is built on) serves these requests; it is loaded only by clients given a CA.
 */
function trustingFetch(ca: string | Buffer): FetchLike {
  let loaded: FetchLike | null = null;
  const load = (): FetchLike => {
    // require(), not import(): the bundled CLI is a script that cannot run import(), and undici stays
    // outside the bundle (scripts/bundle.mjs).
    const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
    const dispatcher = new undici.Agent({ connect: { ca: [...rootCertificates, ca.toString()] } });
    return (input, init) =>
      undici.fetch(input, {
        ...(init as Parameters<typeof undici.fetch>[1]),
        dispatcher,
      }) as unknown as Promise<Response>;
  };
  return (input, init) => {
    loaded ??= load();
    return loaded(input, init);
  };
}
