import { EngineConnError, type EngineCreationContext, type EngineLogger, type SessionEnv } from '@engineconn/core';
import pg from 'pg';
import { connectError } from './connection-errors.js';
import { TypeCatalog } from './type-catalog.js';

export const DEFAULT_FETCH_ROWS = 2000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const MISSING_TARGET =
  'No PostgreSQL server is configured: pass --conf postgres.url=postgresql://user:password@host:5432/database, ' +
  'or set PGHOST (with PGPORT, PGUSER, PGPASSWORD, PGDATABASE as needed).';

/**
 * The live PostgreSQL session: a pool with one connection per concurrent task, plus one control
 * connection outside the pool for cancels, terminates and catalog look-ups, so a kill never waits for a
 * pool slot that the task being killed is holding.
 */
export class PostgresSession {
  readonly pool: pg.Pool;
  readonly fetchRows: number;
  readonly logger: EngineLogger;
  /** e.g. `15.18 (Debian 15.18-0+deb12u1)`. */
  readonly serverVersion: string;
  /** e.g. `15`. */
  readonly majorVersion: string;
  readonly catalog: TypeCatalog;
  readonly #config: pg.ClientConfig;
  #control: Promise<pg.Client> | undefined;
  #controlClient: pg.Client | undefined;
  #closing: Promise<void> | undefined;

  private constructor(init: {
    pool: pg.Pool;
    config: pg.ClientConfig;
    control: pg.Client;
    fetchRows: number;
    logger: EngineLogger;
    serverVersion: string;
    majorVersion: string;
    catalog: TypeCatalog;
  }) {
    this.pool = init.pool;
    this.#config = init.config;
    this.#control = Promise.resolve(init.control);
    this.fetchRows = init.fetchRows;
    this.logger = init.logger;
    this.serverVersion = init.serverVersion;
    this.majorVersion = init.majorVersion;
    this.catalog = init.catalog;
  }

  static async open(ctx: EngineCreationContext, env: SessionEnv): Promise<PostgresSession> {
    const url = ctx.optionalString('postgres.url');
    if (!url && !process.env.PGHOST) throw new EngineConnError('EC_ENGINE_START_FAILED', MISSING_TARGET);
    const fetchRows = ctx.integer('postgres.fetchRows', DEFAULT_FETCH_ROWS, 1);
    const connectTimeoutMs = ctx.duration('postgres.connectTimeout', DEFAULT_CONNECT_TIMEOUT_MS);
    const config: pg.ClientConfig = {
      ...(url ? { connectionString: url } : {}),
      application_name: process.env.PGAPPNAME ?? 'engineconn',
      connectionTimeoutMillis: connectTimeoutMs,
    };

    const control = await connectControl(config, connectTimeoutMs, env.signal);
    try {
      const { rows } = await control.query<{ v: string; n: string }>(
        "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
      );
      const num = Number(rows[0]?.n);
      const majorVersion = Number.isFinite(num) && num >= 100000 ? String(Math.floor(num / 10000)) : '15';
      const catalog = await TypeCatalog.load(async () => control);
      // No spare pool slot for cancels: the control connection sends them.
      const pool = new pg.Pool({ ...config, max: Math.max(1, env.concurrency) });
      pool.on('error', (err) => env.logger.warn({ err: err.message }, 'idle PostgreSQL connection failed'));
      const session = new PostgresSession({
        pool,
        config,
        control,
        fetchRows,
        logger: env.logger,
        serverVersion: rows[0]?.v ?? majorVersion,
        majorVersion,
        catalog,
      });
      session.#watchControl(control);
      return session;
    } catch (err) {
      await control.end().catch(() => {});
      throw err instanceof EngineConnError
        ? err
        : new EngineConnError('EC_ENGINE_START_FAILED', `PostgreSQL session set-up failed: ${String(err)}`, {
            cause: err,
          });
    }
  }

  /** The control connection, reconnected if it was lost. */
  control(): Promise<pg.Client> {
    if (this.#closing) return Promise.reject(new Error('The PostgreSQL session is closed.'));
    this.#control ??= (async () => {
      const timeout = Number(this.#config.connectionTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MS);
      const client = await connectControl(this.#config, timeout, new AbortController().signal);
      this.#watchControl(client);
      return client;
    })();
    const pending = this.#control;
    pending.catch(() => {
      if (this.#control === pending) this.#control = undefined;
    });
    return pending;
  }

  #watchControl(client: pg.Client): void {
    this.#controlClient = client;
    client.on('error', (err) => {
      this.logger.warn({ err: err.message }, 'PostgreSQL control connection lost; reconnecting on next use');
      if (this.#controlClient === client) {
        this.#control = undefined;
        this.#controlClient = undefined;
      }
    });
  }

  /** `pg_cancel_backend`: stops the statement running on that backend; true if the signal was sent. */
  async cancelBackend(pid: number): Promise<boolean> {
    const control = await this.control();
    const { rows } = await control.query<{ ok: boolean }>('SELECT pg_cancel_backend($1) AS ok', [pid]);
    return rows[0]?.ok === true;
  }

  /** `pg_terminate_backend`: ends that backend's whole connection. */
  async terminateBackend(pid: number): Promise<boolean> {
    const control = await this.control();
    const { rows } = await control.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
    return rows[0]?.ok === true;
  }

  async ping(): Promise<void> {
    const control = await this.control();
    await control.query('SELECT 1');
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const control = this.#control;
      this.#control = undefined;
      await Promise.allSettled([this.pool.end(), control?.then((c) => c.end())]);
    })();
    return this.#closing;
  }
}

async function connectControl(config: pg.ClientConfig, timeoutMs: number, signal: AbortSignal): Promise<pg.Client> {
  const client = new pg.Client(config);
  // A connection error after connect() settled is reported through 'error'; without a listener it
  // would crash the process. The session installs the real listener once connected.
  const swallow = () => {};
  client.on('error', swallow);
  const onAbort = () => {
    client.end().catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) throw new Error('start-up was abandoned');
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    if (signal.aborted) {
      throw new EngineConnError('EC_ENGINE_START_FAILED', 'PostgreSQL connect was abandoned (start-up aborted).', {
        cause: err,
      });
    }
    throw connectError(err, client, timeoutMs);
  } finally {
    signal.removeEventListener('abort', onAbort);
    client.removeListener('error', swallow);
  }
}
