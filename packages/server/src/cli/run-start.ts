import { rm } from 'node:fs/promises';
import {
  CALLER_TIMEOUT_OPTION,
  CallerWatchdog,
  EngineConnError,
  type EngineConnInfo,
  EngineConnRuntime,
  type EngineCreationContext,
  startingInfo,
} from '@engineconn/core';
import type { ManagerConnection } from '@engineconn/core/manager';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadEngine } from '../engines/registry.js';
import type { BuildAppOptions } from '../http/app.js';
import { consoleUrl } from './console-url.js';
import { type EarlyListener, listenEarly } from './early-listener.js';
import { type EngineContextFlags, newEngineConnId, resolveEngineContext } from './engine-context.js';
import type { LogFormat, LogLevel } from './flags/log-flags.js';
import { LogTail } from './log-tail.js';
import { createLogger } from './logger.js';
import { takeManagerSecret } from './manager-secret.js';
import { publishOwnerToken, takeOwnerToken } from './owner-token.js';
import { publicUrl } from './public-url.js';
import { openReadyFile, type ReadyFileHandle, readyFileAt } from './ready-file.js';
import { assertUnreadable, dropPrivileges, prepareDataDir, resolveRunAs } from './run-as-user.js';
import { installSignalHandlers } from './signals.js';
import { checkPlainHttpBind, readTlsFiles, type TlsFlags } from './tls-files.js';

/** The URL the client commands use when given none; the start hint leaves `--url` out for it. */
const DEFAULT_CLIENT_URL = 'http://127.0.0.1:7070';

type MetricsOptions = NonNullable<Parameters<typeof import('../metrics/metrics-plugin.js').createMetricsPlugin>[0]>;

export interface StartFlags extends EngineContextFlags, TlsFlags {
  engine: string;
  host: string;
  port: number;
  authFile?: string;
  readyFile?: string;
  bodyLimit: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  heartbeatInterval?: string;
  callerTimeout?: string;
  shareLevel?: string;
  allowOrigin?: string[];
  publicUrl?: string[];
}

/**
 * The HTTP side (fastify, zod, routes, plugins) is imported here rather than at the top, so it
 * loads while the engine's session starts (an interpreter or database process booting, a database
 * opening) instead of before it.
 */
function loadServerModules() {
  return Promise.all([
    import('../http/app.js'),
    import('../http/server-plugins.js'),
    import('../metrics/metrics-plugin.js'),
  ]);
}

async function buildServer(
  modules: ReturnType<typeof loadServerModules>,
  opts: Omit<BuildAppOptions, 'plugins'>,
  metrics: MetricsOptions,
): Promise<FastifyInstance> {
  const [{ buildApp }, { SERVER_PLUGINS }, { createMetricsPlugin }] = await modules;
  const app = await buildApp({ ...opts, plugins: [...SERVER_PLUGINS, createMetricsPlugin(metrics)] });
  await app.ready();
  return app;
}

async function closeServer(app: FastifyInstance): Promise<void> {
  // Connections that outlive the drain (a stalled client) must not keep the process alive.
  const force = setTimeout(() => app.server.closeAllConnections(), 2000);
  force.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}

function printStartFailure(err: unknown, hiddenTail: string[]): void {
  const error = EngineConnError.from(err, 'EC_ENGINE_START_FAILED');
  let message = `engineconn: failed to start: ${error.message} [${error.code}]\n`;
  let cause = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    if (cause.message !== error.message) message += `  caused by: ${cause.message}\n`;
    cause = cause.cause;
  }
  if (hiddenTail.length > 0) message += `  last log lines:\n${hiddenTail.map((l) => `    ${l}\n`).join('')}`;
  process.stderr.write(message);
}

/** Runs `engineconn start` to the end and returns the process exit code. */
export async function runStart(flags: StartFlags): Promise<number> {
  const id = newEngineConnId();
  const managerSecret = takeManagerSecret();
  let logger: Logger;
  let runtime: EngineConnRuntime | null = null;
  // Until the runtime exists, what the manager hears of an EngineConn that failed to start.
  let starting: { id: string; context: EngineCreationContext; info(): EngineConnInfo } | null = null;
  let early: EarlyListener | null = null;
  let app: FastifyInstance | null = null;
  let dataDirDefaulted = false;
  let signals: ReturnType<typeof installSignalHandlers> | null = null;
  let manager: ManagerConnection | null = null;
  // The manager client (and zod, for its report schemas) loads only with a manager, while the engine starts.
  let managerModule: Promise<typeof import('@engineconn/core/manager')> | null = null;
  let watchdog: CallerWatchdog | null = null;
  let unpublish = (): void => {};
  let readyFile: ReadyFileHandle | null = null;
  const tail = new LogTail();
  try {
    logger = createLogger(flags.logLevel, { ec: id }, tail, flags.logFormat);
    const { port, bodyLimit } = flags;
    const plugin = await loadEngine(flags.engine);
    const authModule = await import('../http/auth.js');
    // What only root may read is read first: the process may give up root below.
    const auth = flags.authFile ? await authModule.loadAuthFile(flags.authFile) : null;
    const tls = await readTlsFiles(flags);
    checkPlainHttpBind(flags.host, tls, flags, logger);
    const runAs = resolveRunAs(flags.user, logger);
    // Taken (and removed from the environment) even with an auth file, so no task inherits it.
    const envToken = takeOwnerToken();
    const ownerToken = auth ? undefined : envToken;
    // Dedicated flags win over --conf, as in resolveEngineContext.
    const conf = [
      ...(flags.conf ?? []),
      ...(flags.heartbeatInterval === undefined ? [] : [`ec.heartbeatInterval=${flags.heartbeatInterval}`]),
      ...(flags.callerTimeout === undefined ? [] : [`${CALLER_TIMEOUT_OPTION}=${flags.callerTimeout}`]),
      ...(flags.shareLevel === undefined ? [] : [`ec.shareLevel=${flags.shareLevel}`]),
    ];
    const resolved = await resolveEngineContext(plugin, { ...flags, conf }, { id });
    // Read now, so a typo fails at start naming the option, not once serving.
    resolved.context.duration('ec.heartbeatInterval', 0);
    resolved.context.duration(CALLER_TIMEOUT_OPTION, 0);
    resolved.context.duration('ec.manager.orphanTimeout', 0);
    const shareLevel = authModule.parseShareLevel(resolved.context.optionalString('ec.shareLevel'));
    dataDirDefaulted = resolved.dataDirDefaulted;
    await prepareDataDir(resolved.context.dataDir, runAs, dataDirDefaulted);
    if (flags.readyFile) readyFile = runAs ? await openReadyFile(flags.readyFile) : readyFileAt(flags.readyFile);
    const context = resolved.context;
    starting = { id, context, info: () => startingInfo(plugin, context) };
    signals = installSignalHandlers(logger);
    const managerUrl = context.optionalString('ec.manager.url');
    if (managerUrl) managerModule = import('@engineconn/core/manager');
    const serverModules = loadServerModules();
    // Awaited after the session has started; a failure to load must not go unhandled meanwhile.
    serverModules.catch(() => {});
    // Running as another user, the port is bound (it may be a privileged one) and the process gives
    // up root before the engine's session starts, so everything the engine does is the user's.
    early = await listenEarly(flags.host, port);
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
    runtime = await EngineConnRuntime.create({ plugin, context, logger }, { signal: signals.signal });
    signals.attach(runtime);
    app = await buildServer(
      serverModules,
      {
        runtime,
        auth,
        ownerToken,
        shareLevel,
        guard: { bindHost: flags.host, publicUrls: flags.publicUrl ?? [], allowOrigins: flags.allowOrigin ?? [] },
        https: tls ?? undefined,
        bodyLimit,
        logger,
      },
      { managerStats: () => manager?.reporter.stats },
    );
    early.handOver(app.server);
    const url = publicUrl(flags.host, early.address, tls ? 'https' : 'http');
    await runtime.serverStarted(url);
    // Before the URL is handed out, so the manager hears of the EngineConn before any task runs.
    if (managerUrl && managerModule) {
      const { attachManager } = await managerModule;
      manager = attachManager(runtime, {
        url: managerUrl,
        logger,
        ...(managerSecret ? { secret: managerSecret } : {}),
      });
    }
    watchdog = CallerWatchdog.fromOptions(runtime, logger);
    unpublish = publishOwnerToken(url, ownerToken, logger);
    await readyFile?.write({ url, id, pid: process.pid, ...(ownerToken ? { token: ownerToken } : {}) });

    if (!auth && !authModule.isLoopback(flags.host) && flags.host !== 'localhost') {
      logger.warn({ host: flags.host }, 'no --auth-file: only loopback callers are accepted, remote ones get 403');
    }
    logger.info({ url, engine: plugin.name, executor: resolved.context.executor, shareLevel }, 'EngineConn serving');
    const urlFlag = url === DEFAULT_CLIENT_URL ? '' : ` --url ${url}`;
    const tokenFlag = auth ? ' --token <your token>' : '';
    process.stdout.write(
      `EngineConn ${id} (${plugin.name}, ${resolved.context.executor}) listening on ${url}\n` +
        `Console: ${consoleUrl(url, ownerToken)}\n` +
        `Try: npx engineconn submit${urlFlag}${tokenFlag} "${plugin.example ?? 'select 42 as answer'}"\n`,
    );
  } catch (err) {
    const previous = runtime?.status ?? 'Starting';
    if (runtime) await runtime.serverFailed(err instanceof Error ? err : new Error(String(err)));
    watchdog?.close();
    // A manager waiting for this EngineConn must learn that, and why, it did not start.
    const failed = runtime ?? starting;
    const managerUrl = starting?.context.optionalString('ec.manager.url');
    if (manager) await manager.close();
    else if (failed && managerUrl) {
      const { reportStartFailure } = await (managerModule ?? import('@engineconn/core/manager'));
      await reportStartFailure(failed, err, {
        url: managerUrl,
        previous,
        logTail: tail.lines(),
        ...(managerSecret ? { secret: managerSecret } : {}),
      });
    }
    if (app) await closeServer(app).catch(() => {});
    early?.close();
    unpublish();
    await readyFile?.remove().catch(() => {});
    if (signals?.received) {
      process.stderr.write(`engineconn: start-up interrupted by ${signals.received}\n`);
      return signals.received === 'SIGINT' ? 130 : 143;
    }
    printStartFailure(err, flags.logLevel === 'silent' ? [] : tail.below(flags.logLevel));
    return 1;
  }

  const exit = await runtime.exited;
  logger.info({ status: exit.status, reason: exit.reason, exitCode: exit.exitCode }, 'EngineConn exiting');
  await closeServer(app).catch((err: unknown) => logger.error({ err }, 'closing the HTTP server failed'));
  watchdog?.close();
  await manager?.close();
  unpublish();
  await readyFile?.remove().catch(() => {});
  if (dataDirDefaulted && exit.exitCode === 0) {
    await rm(runtime.context.dataDir, { recursive: true, force: true }).catch(() => {});
  }
  signals.dispose();
  return exit.exitCode;
}
