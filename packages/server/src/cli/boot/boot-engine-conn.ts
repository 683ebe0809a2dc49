import {
  CALLER_TIMEOUT_OPTION,
  EngineConnRuntime,
  type EngineCreationContext,
  type EnginePlugin,
  keepEngineThreadsNiced,
  type NodeStatus,
  startingInfo,
} from '@engineconn/core';
import type { ManagerConnection } from '@engineconn/core/manager';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadEngine } from '../../engines/registry.js';
import type { AuthConfig, ShareLevel } from '../../http/auth.js';
import { type EarlyListener, listenEarly } from '../early-listener.js';
import { type EngineContextFlags, resolveEngineContext } from '../engine-context.js';
import type { LogTail } from '../log-tail.js';
import { takeManagerSecret } from '../manager-secret.js';
import { publishOwnerToken, takeOwnerToken } from '../owner-token.js';
import { publicUrl } from '../public-url.js';
import { assertUnreadable, dropPrivileges, prepareDataDir, resolveRunAs } from '../run-as-user.js';
import { checkPlainHttpBind, readTlsFiles, type TlsFiles, type TlsFlags } from '../tls-files.js';
import { deferDataDirRemoval } from './default-data-dir.js';
import { buildServer, closeServer, loadServerModules, type ServerModules } from './http-server.js';
import type { TeardownCause, TeardownStack } from './teardown-stack.js';

/** The flags `start` and `once` share that shape how an EngineConn boots. */
export interface BootFlags extends EngineContextFlags, TlsFlags {
  engine: string;
  host: string;
  authFile?: string;
  allowOrigin?: string[];
  publicUrl?: string[];
  /** The dedicated flags of options, which win over --conf (as in resolveEngineContext). */
  heartbeatInterval?: string;
  callerTimeout?: string;
  shareLevel?: string;
}

/** `--conf` with what the dedicated flags set appended, so they win. */
function confOf(flags: BootFlags): string[] {
  return [
    ...(flags.conf ?? []),
    ...(flags.heartbeatInterval === undefined ? [] : [`ec.heartbeatInterval=${flags.heartbeatInterval}`]),
    ...(flags.callerTimeout === undefined ? [] : [`${CALLER_TIMEOUT_OPTION}=${flags.callerTimeout}`]),
    ...(flags.shareLevel === undefined ? [] : [`ec.shareLevel=${flags.shareLevel}`]),
  ];
}

/** With a port (`start`, `once --port`), the boot serves the API; with null it serves nothing. */
type Port = number | null;
/** Present when serving. */
type WhenServing<P extends Port, T> = P extends number ? T : null;

export interface BootOptions<P extends Port = Port> {
  id: string;
  flags: BootFlags;
  /** Serve the HTTP API on this port (0: any free one); null: no server (`once` without `--port`). */
  port: P;
  bodyLimit?: number;
  /** `once`: the once executor. */
  once?: boolean;
  logger: Logger;
  /** The log's last lines, sent to a manager with a start failure. */
  logTail?: LogTail;
  teardown: TeardownStack;
  /**
   * How the run went, asked at its end for a default data directory (see default-data-dir.ts);
   * without it, a run that did not fail succeeded.
   */
  succeeded?: (cause: TeardownCause) => boolean;
}

/** What the first phase read and opened, as root when started as root. */
export interface PreparedBoot<P extends Port = Port> {
  readonly options: BootOptions<P>;
  readonly plugin: EnginePlugin<unknown>;
  readonly context: EngineCreationContext;
  readonly auth: AuthConfig | null;
  /** The owner token without an auth file. */
  readonly ownerToken: string | undefined;
  readonly shareLevel: ShareLevel;
  readonly tls: TlsFiles | null;
  readonly runAs: ReturnType<typeof resolveRunAs>;
  readonly listener: WhenServing<P, EarlyListener>;
  readonly state: BootState;
}

/** What the undo steps of a boot share, set as the steps succeed. */
interface BootState {
  runtime: EngineConnRuntime | null;
  manager: ManagerConnection | null;
  /** The status the EngineConn failed from, for a manager's report. */
  failedFrom: NodeStatus;
  /** Attaches the manager, when there is one. */
  attach: ((runtime: EngineConnRuntime) => Promise<void>) | null;
}

export interface BootedEngineConn<P extends Port = Port> {
  readonly runtime: EngineConnRuntime;
  readonly plugin: EnginePlugin<unknown>;
  /** Where the API is served. */
  readonly url: WhenServing<P, string>;
  readonly auth: AuthConfig | null;
  readonly ownerToken: string | undefined;
  readonly shareLevel: ShareLevel;
  /** The manager connection, for the metrics' report counts. */
  readonly manager: ManagerConnection | null;
}

/**
 * The first phase of a boot, shared by `start` and `once`: everything that needs root, when
 * started as root, before the process gives it up. It loads the engine, reads the auth file and
 * TLS key, resolves the EngineCreationContext and its data directory, and binds the port (a port
 * in use fails here, before any session opens). What it opens goes on the teardown stack.
 */
export async function prepareBoot<P extends Port>(options: BootOptions<P>): Promise<PreparedBoot<P>> {
  const { flags, logger, teardown } = options;
  // Taken (and removed from the environment) first, so no task inherits them.
  const managerSecret = takeManagerSecret();
  const envToken = takeOwnerToken();
  const plugin = await loadEngine(flags.engine);
  const authModule = await import('../../http/auth.js');
  const auth = flags.authFile ? await authModule.loadAuthFile(flags.authFile) : null;
  const { port } = options;
  const serving = port !== null;
  const tls = serving ? await readTlsFiles(flags) : null;
  if (serving) checkPlainHttpBind(flags.host, tls, flags, logger);
  const runAs = resolveRunAs(flags.user, logger);
  const contextFlags = { ...flags, conf: confOf(flags), ...(options.once ? { executor: 'once' as const } : {}) };
  const resolved = await resolveEngineContext(plugin, contextFlags, {
    id: options.id,
    allowOnce: options.once === true,
  });
  const { context } = resolved;
  // Read now, so a typo fails the start naming the option, not once serving.
  context.duration('ec.heartbeatInterval', 0);
  context.duration(CALLER_TIMEOUT_OPTION, 0);
  context.duration('ec.manager.orphanTimeout', 0);
  const shareLevel = authModule.parseShareLevel(context.optionalString('ec.shareLevel'));
  await prepareDataDir(context.dataDir, runAs, resolved.dataDirDefaulted);
  if (resolved.dataDirDefaulted) {
    deferDataDirRemoval(teardown, context.dataDir, options.succeeded ?? ((cause) => !cause.failed));
  }

  const state: BootState = { runtime: null, manager: null, failedFrom: 'Starting', attach: null };
  // --manager maps onto this option, so a config file or --conf can set it too.
  const managerUrl = context.optionalString('ec.manager.url');
  if (managerUrl) {
    // Loaded only with a manager (it brings zod for its report schemas), while the engine starts.
    const managerModule = import('@engineconn/core/manager');
    managerModule.catch(() => {});
    const secret = managerSecret ? { secret: managerSecret } : {};
    // A manager waiting for this EngineConn must learn that, and why, it did not start.
    teardown.defer('the start-failure report', async (cause) => {
      if (!cause.failed || state.manager) return;
      const { reportStartFailure } = await managerModule;
      const failed = state.runtime ?? { id: context.id, info: () => startingInfo(plugin, context) };
      await reportStartFailure(failed, cause.error, {
        url: managerUrl,
        previous: state.failedFrom,
        logger,
        ...(options.logTail ? { logTail: options.logTail.lines() } : {}),
        ...secret,
      });
    });
    // Below the session on the stack: it delivers the release once the runtime has ended.
    teardown.defer('the manager connection', () => state.manager?.close());
    state.attach = async (runtime) => {
      const { attachManager } = await managerModule;
      state.manager = attachManager(runtime, { url: managerUrl, logger, ...secret });
    };
  }
  let listener: EarlyListener | null = null;
  if (port !== null) {
    const early = await listenEarly(flags.host, port);
    listener = early;
    teardown.defer('the listener', () => early.close());
  }
  return {
    options,
    plugin,
    context,
    auth,
    ownerToken: auth ? undefined : envToken,
    shareLevel,
    tls,
    runAs,
    listener: listener as WhenServing<P, EarlyListener>,
    state,
  };
}

/**
 * The second phase: gives up root (started as root with `--user`), opens the engine's session
 * (abandoned when `signal` aborts), builds the server on the runtime and hands it the port,
 * announces the URL, attaches the manager and publishes the owner token. Each step's undo goes on
 * the teardown stack; on a failure the caller unwinds it, and the runtime fails with the error.
 */
export async function completeBoot<P extends Port>(
  prepared: PreparedBoot<P>,
  signal: AbortSignal,
): Promise<BootedEngineConn<P>> {
  const { options, plugin, context, tls, runAs, state } = prepared;
  const { flags, logger, teardown } = options;
  if (runAs) {
    dropPrivileges(runAs);
    assertUnreadable(
      [
        ...(flags.authFile ? [{ path: flags.authFile, what: 'The auth file' }] : []),
        ...(tls ? [{ path: tls.keyPath, what: 'The TLS key' }] : []),
      ],
      runAs.name,
    );
    logger.info({ user: runAs.name, uid: runAs.uid }, 'running as the EngineConn user');
  }
  const listener: EarlyListener | null = prepared.listener;
  // The session starts opening first (an interpreter spawning, DuckDB opening on the thread pool);
  // the server's modules load while it does.
  const opening = EngineConnRuntime.create({ plugin, context, logger }, { signal });
  const modules: ServerModules | null = listener ? loadServerModules() : null;
  const runtime = await opening;
  state.runtime = runtime;
  // The engine's threads yield to the event loop; the first sweep finds those the open started.
  const stopNicing = keepEngineThreadsNiced(runtime.settings.engineNice, (err) =>
    logger.warn({ err }, 'the engine threads keep the event loop priority: the system refused to lower theirs'),
  );
  teardown.defer('the engine threads nice value', stopNicing);
  teardown.defer('the engine session', async (cause) => {
    if (!cause.failed) return;
    state.failedFrom = runtime.status;
    await runtime.serverFailed(cause.error instanceof Error ? cause.error : new Error(String(cause.error)));
  });
  let url: string | null = null;
  if (listener && modules) {
    const app: FastifyInstance = await buildServer(
      modules,
      {
        runtime,
        auth: prepared.auth,
        ownerToken: prepared.ownerToken,
        shareLevel: prepared.shareLevel,
        guard: { bindHost: flags.host, publicUrls: flags.publicUrl ?? [], allowOrigins: flags.allowOrigin ?? [] },
        https: tls ?? undefined,
        ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
        logger,
      },
      { managerStats: () => state.manager?.reporter.stats },
    );
    teardown.defer('the HTTP server', () => closeServer(app, () => listener.drained()));
    listener.handOver(app.server);
    url = publicUrl(flags.host, listener.address, tls ? 'https' : 'http');
    await runtime.serverStarted(url);
  }
  // Before the URL is handed out, so the manager hears of the EngineConn before any task runs.
  await state.attach?.(runtime);
  if (url) {
    const unpublish = publishOwnerToken(url, prepared.ownerToken, logger);
    teardown.defer('the owner token', unpublish);
  }
  return {
    runtime,
    plugin,
    url: url as WhenServing<P, string>,
    auth: prepared.auth,
    ownerToken: prepared.ownerToken,
    shareLevel: prepared.shareLevel,
    manager: state.manager,
  };
}
