import {
  EngineConnError,
  type EngineCreationContext,
  type EngineLogger,
  type Health,
  type SessionEnv,
} from '@engineconn/core';
import { ClientSession } from './protocol/client-session.js';
import { TrinoClient } from './protocol/trino-client.js';
import { networkCode } from './protocol/trino-http.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How long one request keeps being retried while the coordinator is busy (503) or unreachable. */
export const DEFAULT_RETRY_TIMEOUT_MS = 30_000;

export interface TrinoSettings {
  /** e.g. `http://localhost:8080`, without a trailing slash. */
  server: string;
  user: string;
  source: string;
  catalog?: string;
  schema?: string;
  /** X-Trino-Time-Zone; default: the coordinator's. */
  timeZone?: string;
}

interface ServerInfo {
  nodeVersion?: { version?: unknown };
  starting?: unknown;
}

/**
 * What a Trino session is here: where the coordinator is, who we are, and the protocol client.
 * Trino keeps no connection state, so each task gets its own ClientSession (its USE / SET SESSION /
 * PREPARE stay within the task) over the one shared, stateless client.
 */
export class TrinoSession {
  readonly settings: TrinoSettings;
  readonly serverVersion: string;
  readonly logger: EngineLogger;
  readonly client: TrinoClient;
  readonly #timeoutMs: number;

  private constructor(
    settings: TrinoSettings,
    serverVersion: string,
    logger: EngineLogger,
    timeoutMs: number,
    retryForMs: number,
  ) {
    this.settings = settings;
    this.serverVersion = serverVersion;
    this.logger = logger;
    this.#timeoutMs = timeoutMs;
    this.client = new TrinoClient({ server: settings.server, retry: { retryForMs } });
  }

  /** A fresh client-side session for one task, starting from the EngineConn's settings. */
  clientSession(overrides: { catalog?: string; schema?: string; properties?: Record<string, string> }): ClientSession {
    const catalog = overrides.catalog ?? this.settings.catalog;
    const schema = overrides.schema ?? this.settings.schema;
    return new ClientSession({
      user: this.settings.user,
      source: this.settings.source,
      ...(catalog ? { catalog } : {}),
      ...(schema ? { schema } : {}),
      ...(this.settings.timeZone ? { timeZone: this.settings.timeZone } : {}),
      properties: overrides.properties ?? {},
    });
  }

  static async open(ctx: EngineCreationContext, env: SessionEnv): Promise<TrinoSession> {
    const raw = ctx.optionalString('trino.server');
    if (!raw) {
      throw new EngineConnError(
        'EC_ENGINE_START_FAILED',
        'No Trino coordinator is configured: pass --conf trino.server=http://host:8080.',
      );
    }
    let url: URL;
    try {
      url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new EngineConnError(
        'EC_ENGINE_START_FAILED',
        `trino.server must be an http(s) URL like http://host:8080; got '${raw}'.`,
      );
    }
    const settings: TrinoSettings = {
      server: url.origin + url.pathname.replace(/\/+$/, ''),
      user: ctx.optionalString('trino.user') || ctx.user,
      source: ctx.optionalString('trino.source') || 'engineconn',
      ...(ctx.optionalString('trino.catalog') ? { catalog: ctx.optionalString('trino.catalog') } : {}),
      ...(ctx.optionalString('trino.schema') ? { schema: ctx.optionalString('trino.schema') } : {}),
      ...(ctx.optionalString('trino.timeZone') ? { timeZone: ctx.optionalString('trino.timeZone') } : {}),
    };
    const timeoutMs = ctx.duration('trino.connectTimeout', DEFAULT_CONNECT_TIMEOUT_MS);
    const retryForMs = ctx.duration('trino.retryTimeout', DEFAULT_RETRY_TIMEOUT_MS);
    const info = await fetchInfo(settings.server, timeoutMs, env.signal).catch((err: unknown) => {
      throw new EngineConnError(
        'EC_ENGINE_START_FAILED',
        `Cannot reach the Trino coordinator at ${settings.server} (${describe(err)}). ` +
          'Check that it is running and that trino.server is right.',
        { cause: err },
      );
    });
    if (info.starting === true) {
      throw new EngineConnError(
        'EC_ENGINE_START_FAILED',
        `The Trino coordinator at ${settings.server} is still starting; start the EngineConn again when it is up.`,
      );
    }
    const version = typeof info.nodeVersion?.version === 'string' ? info.nodeVersion.version : 'unknown';
    return new TrinoSession(settings, version, env.logger, timeoutMs, retryForMs);
  }

  /** Closes the connections to the coordinator (the runtime closes a session once its tasks ended). */
  close(): Promise<void> {
    return this.client.close();
  }

  /**
   * The coordinator as the EngineConn's health: UnHealthy when it cannot be reached (refused, no
   * route, no such host) or says it is starting; WARN when it is only slow to answer — with
   * thousands of queries in flight a probe can wait behind them, and that is no reason to refuse
   * tasks.
   */
  async health(): Promise<Health> {
    try {
      const info = await fetchInfo(this.settings.server, this.#timeoutMs, AbortSignal.timeout(this.#timeoutMs));
      return info.starting === true ? 'UnHealthy' : 'Healthy';
    } catch (err) {
      const code = networkCode(err);
      return code !== undefined && UNREACHABLE.has(code) ? 'UnHealthy' : 'WARN';
    }
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

/** fetch() says only 'fetch failed'; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is in its cause. */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

async function fetchInfo(server: string, timeoutMs: number, signal: AbortSignal): Promise<ServerInfo> {
  const response = await fetch(`${server}/v1/info`, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  if (!response.ok) throw new Error(`GET /v1/info answered HTTP ${response.status}`);
  return (await response.json()) as ServerInfo;
}
