import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for a Trino coordinator, kept for what a real one cannot be made to do on demand
// (503 storms, malformed pages, dropped connections, scripted page sequences); everything else is
// tested against a real Trino (see real-trino.test.ts). It speaks the parts of the client REST
// protocol the engine uses, shaped like real Trino 476 answers:
// POST /v1/statement → QUEUED page with nextUri; GET nextUri → pages (queued → executing URIs) with
// columns/data/stats, the last one without nextUri; `error` on a failed page; DELETE /v1/query/{id}
// or DELETE nextUri cancels (USER_CANCELED); GET /v1/query/{id} → query info; GET /v1/info.
// It does not parse SQL: each statement's behaviour is scripted by the test.

export interface TrinoColumn {
  name: string;
  type: string;
}

export interface Scenario {
  columns?: TrinoColumn[];
  rows?: unknown[][];
  /** Rows per data page (default 2). */
  pageSize?: number;
  /** Pages without data before the first data page (the query is "running"). */
  runningPages?: number;
  /** Splits reported in stats; they complete evenly over the pages. */
  totalSplits?: number;
  /** Never finishes: keeps answering RUNNING pages until cancelled. */
  hang?: boolean;
  /** Fails on this page number (0 = the POST answer itself). */
  failAtPage?: number;
  error?: {
    message: string;
    errorCode: number;
    errorName: string;
    errorType: string;
    lineNumber?: number;
    columnNumber?: number;
  };
  updateType?: string;
  updateCount?: number;
  /** Response headers on the final page, e.g. X-Trino-Set-Catalog for USE. */
  setHeaders?: Record<string, string>;
  /** The first N GETs of this query answer 503 (the protocol says: retry). */
  unavailable?: number;
  /** The status of those answers instead of 503 (429: a gateway's "too many requests"). */
  unavailableStatus?: number;
  /** A Retry-After header on those answers, e.g. '1' (seconds). */
  retryAfter?: string;
  /** How long each page takes while the query runs, like Trino's long poll (default 0; 20 when hanging). */
  pageDelayMs?: number;
  /** Answers GET page N with this raw body (HTTP 200) instead of the scripted page. */
  rawPage?: { atPage: number; body: string };
  /** The first GET of page N closes the connection without an answer (a dropped connection). */
  dropAtPage?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface FakeQuery {
  id: string;
  slug: string;
  sql: string;
  scenario: Scenario;
  page: number;
  state: 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED';
  cancelled: boolean;
  unavailableLeft: number;
  dropped: boolean;
  /** Answers already given, by token: a repeated GET of the same nextUri gets the same page. */
  answers: Map<number, { status: number; headers: Record<string, string>; body: unknown }>;
}

export class FakeTrino {
  readonly requests: RecordedRequest[] = [];
  /** While true, GET /v1/info never answers (a coordinator too busy to reply in time). */
  stallInfo = false;
  readonly queries: FakeQuery[] = [];
  readonly #scenarios = new Map<string, Scenario>();
  readonly #patterns: { pattern: RegExp; scenario: (sql: string) => Scenario }[] = [];
  readonly #server: Server;
  #base = '';
  #counter = 0;

  private constructor() {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  }

  static async start(): Promise<FakeTrino> {
    const fake = new FakeTrino();
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#base = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  get url(): string {
    return this.#base;
  }

  /** What the coordinator does for statement `sql` (exact text, as the engine sends it). */
  script(sql: string, scenario: Scenario): void {
    this.#scenarios.set(sql, scenario);
  }

  /** What the coordinator does for every statement matching `pattern` that has no exact script. */
  scriptMatching(pattern: RegExp, scenario: (sql: string) => Scenario): void {
    this.#patterns.push({ pattern, scenario });
  }

  deletesOf(id: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'DELETE' && r.url.includes(id));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', url, headers: req.headers, body });

    if (req.method === 'GET' && url === '/v1/info') {
      if (this.stallInfo) return;
      return send(res, 200, {
        nodeVersion: { version: '476' },
        environment: 'test',
        coordinator: true,
        starting: false,
        uptime: '1.00m',
      });
    }
    if (req.method === 'POST' && url === '/v1/statement') return this.#submit(req, res, body);
    const queryPath = /^\/v1\/query\/([^/]+)$/.exec(url);
    if (queryPath) {
      const query = this.queries.find((q) => q.id === queryPath[1]);
      if (!query) return send(res, 404, { message: 'Query not found' });
      if (req.method === 'DELETE') {
        query.cancelled = true;
        query.state = 'FAILED';
        return send(res, 204, undefined);
      }
      return send(res, 200, {
        queryId: query.id,
        state: query.state,
        query: query.sql,
        ...(query.cancelled ? { errorCode: { code: 3, name: 'USER_CANCELED', type: 'USER_ERROR' } } : {}),
      });
    }
    const next = /^\/v1\/statement\/(queued|executing)\/([^/]+)\/([^/]+)\/(\d+)$/.exec(url);
    if (next) {
      const query = this.queries.find((q) => q.id === next[2] && q.slug === next[3]);
      if (!query) return send(res, 404, { message: 'Query not found' });
      if (req.method === 'DELETE') {
        query.cancelled = true;
        query.state = 'FAILED';
        return send(res, 204, undefined);
      }
      return this.#page(query, Number(next[4]), res);
    }
    send(res, 404, { message: `no route ${req.method} ${url}` });
  }

  #submit(req: IncomingMessage, res: ServerResponse, sql: string): void {
    if (!req.headers['x-trino-user']) {
      send(res, 400, 'User must be set');
      return;
    }
    const matching = this.#patterns.find((p) => p.pattern.test(sql));
    const scenario = this.#scenarios.get(sql) ??
      matching?.scenario(sql) ?? {
        failAtPage: 1,
        error: {
          message: `line 1:1: mismatched input '${sql.split(/\s/)[0]}'`,
          errorCode: 1,
          errorName: 'SYNTAX_ERROR',
          errorType: 'USER_ERROR',
          lineNumber: 1,
          columnNumber: 1,
        },
      };
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const id = `${stamp.slice(0, 8)}_${stamp.slice(8)}_${String(++this.#counter).padStart(5, '0')}_fake${randomBytes(1).toString('hex')}`;
    const query: FakeQuery = {
      id,
      slug: `y${randomBytes(8).toString('hex')}`,
      sql,
      scenario,
      page: 0,
      state: 'QUEUED',
      cancelled: false,
      unavailableLeft: scenario.unavailable ?? 0,
      dropped: false,
      answers: new Map(),
    };
    this.queries.push(query);
    if (scenario.failAtPage === 0) {
      query.state = 'FAILED';
      send(res, 200, this.#failure(query));
      return;
    }
    send(res, 200, {
      id,
      infoUri: `${this.#base}/ui/query.html?${id}`,
      nextUri: `${this.#base}/v1/statement/queued/${id}/${query.slug}/1`,
      stats: this.#stats(query, 0),
      warnings: [],
    });
  }

  #page(query: FakeQuery, token: number, res: ServerResponse): void {
    const s = query.scenario;
    if (s.dropAtPage === token && !query.dropped) {
      query.dropped = true;
      res.socket?.destroy();
      return;
    }
    if (s.rawPage?.atPage === token) {
      res.setHeader('Content-Type', 'application/json');
      res.end(s.rawPage.body);
      return;
    }
    const cached = query.answers.get(token);
    if (cached) {
      send(res, cached.status, cached.body, cached.headers);
      return;
    }
    if (query.unavailableLeft > 0) {
      query.unavailableLeft--;
      const retryAfter: Record<string, string> = s.retryAfter ? { 'Retry-After': s.retryAfter } : {};
      send(res, s.unavailableStatus ?? 503, 'Service Unavailable', retryAfter);
      return;
    }
    const answer = this.#answer(query, token);
    query.answers.set(token, answer);
    // Trino long-polls a running query; a short wait keeps the fake honest without slowing tests.
    const delay = query.state === 'RUNNING' ? (query.scenario.pageDelayMs ?? (query.scenario.hang ? 20 : 0)) : 0;
    setTimeout(() => send(res, answer.status, answer.body, answer.headers), delay).unref();
  }

  #answer(query: FakeQuery, token: number): { status: number; headers: Record<string, string>; body: unknown } {
    const s = query.scenario;
    query.page = token;
    const base = { id: query.id, infoUri: `${this.#base}/ui/query.html?${query.id}` };
    if (query.cancelled) {
      return {
        status: 200,
        headers: {},
        body: {
          ...base,
          error: { message: 'Query was canceled', errorCode: 3, errorName: 'USER_CANCELED', errorType: 'USER_ERROR' },
          stats: this.#stats(query, token),
        },
      };
    }
    if (s.failAtPage !== undefined && token >= s.failAtPage) {
      query.state = 'FAILED';
      return { status: 200, headers: {}, body: this.#failure(query) };
    }
    query.state = 'RUNNING';
    const nextUri = `${this.#base}/v1/statement/executing/${query.id}/${query.slug}/${token + 1}`;
    const columns = s.columns ? { columns: s.columns.map(withSignature) } : {};
    const update = s.updateType ? { updateType: s.updateType } : {};
    const running = s.hang ? Number.POSITIVE_INFINITY : (s.runningPages ?? 0);
    if (token <= running) {
      return { status: 200, headers: {}, body: { ...base, nextUri, ...update, stats: this.#stats(query, token) } };
    }
    const size = s.pageSize ?? 2;
    const rows = s.rows ?? [];
    const from = (token - running - 1) * size;
    const data = rows.slice(from, from + size);
    const last = from + size >= rows.length;
    if (!last) {
      return {
        status: 200,
        headers: {},
        body: { ...base, nextUri, ...columns, ...update, data, stats: this.#stats(query, token) },
      };
    }
    query.state = 'FINISHED';
    return {
      status: 200,
      headers: s.setHeaders ?? {},
      body: {
        ...base,
        ...columns,
        ...update,
        ...(s.updateCount !== undefined ? { updateCount: s.updateCount } : {}),
        ...(data.length ? { data } : {}),
        stats: this.#stats(query, token),
      },
    };
  }

  #failure(query: FakeQuery): unknown {
    const e = query.scenario.error ?? {
      message: 'Query failed',
      errorCode: 65536,
      errorName: 'GENERIC_INTERNAL_ERROR',
      errorType: 'INTERNAL_ERROR',
    };
    return {
      id: query.id,
      infoUri: `${this.#base}/ui/query.html?${query.id}`,
      error: {
        message: e.message,
        errorCode: e.errorCode,
        errorName: e.errorName,
        errorType: e.errorType,
        ...(e.lineNumber !== undefined
          ? { errorLocation: { lineNumber: e.lineNumber, columnNumber: e.columnNumber } }
          : {}),
        failureInfo: { type: 'io.trino.spi.TrinoException', message: e.message, suppressed: [], stack: [] },
      },
      stats: this.#stats(query, query.page),
    };
  }

  #stats(query: FakeQuery, token: number): Record<string, unknown> {
    const s = query.scenario;
    const total = s.totalSplits ?? 0;
    const pages = s.hang
      ? Number.POSITIVE_INFINITY
      : (s.runningPages ?? 0) + Math.max(1, Math.ceil((s.rows?.length ?? 0) / (s.pageSize ?? 2)));
    const completed = query.state === 'FINISHED' ? total : Math.min(total, Math.floor((total * token) / (pages + 1)));
    const running = query.state === 'RUNNING' ? Math.min(total - completed, 2) : 0;
    return {
      state: query.state,
      queued: query.state === 'QUEUED',
      scheduled: query.state !== 'QUEUED',
      nodes: 1,
      totalSplits: total,
      queuedSplits: total - completed - running,
      runningSplits: running,
      completedSplits: completed,
      cpuTimeMillis: token,
      wallTimeMillis: token,
      queuedTimeMillis: 0,
      elapsedTimeMillis: token,
      processedRows: 0,
      processedBytes: 0,
      physicalInputBytes: 0,
      peakMemoryBytes: 0,
      spilledBytes: 0,
    };
  }
}

function withSignature(c: TrinoColumn): Record<string, unknown> {
  return { name: c.name, type: c.type, typeSignature: { rawType: c.type.replace(/\(.*$/, ''), arguments: [] } };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded) return;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.statusCode = status;
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.setHeader('Content-Type', typeof body === 'string' ? 'text/plain' : 'application/json');
  res.statusCode = status;
  res.end(text);
}
