import { chmod, mkdir, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigInvalidError, EngineConnError } from '@engineconn/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AuthConfig, loadAuthFile } from '../http/auth.js';
import { EngineManager } from '../manager/engine-manager.js';
import { buildManagerApp } from '../manager/http/manager-app.js';
import { ManagerMetrics } from '../manager/http/manager-metrics.js';
import { JobService } from '../manager/jobs/job-service.js';
import { runningAsRoot } from '../manager/launcher/os-users.js';
import type { ManagerSettings } from '../manager/manager-settings.js';
import { EngineRegistry } from '../manager/registry/engine-registry.js';
import { RegistryStore } from '../manager/registry/registry-store.js';
import { closeServer } from './boot/http-server.js';
import { defaultUser } from './engine-context.js';
import type { LogLevel } from './flags/log-flags.js';
import { createLogger } from './logger.js';
import { publishOwnerToken, takeOwnerToken } from './owner-token.js';
import { publicUrl } from './public-url.js';
import { removeReadyFile, writeReadyFile } from './ready-file.js';
import { checkPlainHttpBind, readTlsFiles, type TlsFlags } from './tls-files.js';

/** The flags of `engineconn manager start`, as commander parsed them (commands/manager.ts); durations in ms. */
export interface ManagerFlags extends TlsFlags {
  host: string;
  port: number;
  dataDir?: string;
  authFile?: string;
  readyFile?: string;
  maxEngines: number;
  maxEnginesPerUser: number;
  engineStartTimeout: number;
  engineIdleTime: number;
  heartbeatInterval: number;
  orphanTimeout: number;
  stopGrace: number;
  keepEngines?: boolean;
  logLevel: LogLevel;
  allowOrigin?: string[];
  publicUrl?: string[];
}

/** The `engineconn` CLI script the manager runs its engines with. */
const BIN = fileURLToPath(new URL('../../bin/engineconn.cjs', import.meta.url));

export function parseManagerSettings(flags: ManagerFlags, managerCa: Buffer | null = null): ManagerSettings {
  return {
    dataDir: resolve(flags.dataDir ?? join(homedir(), '.engineconn', 'manager')),
    maxEngines: flags.maxEngines,
    maxEnginesPerUser: flags.maxEnginesPerUser,
    engineStartTimeoutMs: flags.engineStartTimeout,
    engineIdleTimeMs: flags.engineIdleTime,
    heartbeatIntervalMs: flags.heartbeatInterval,
    orphanTimeoutMs: flags.orphanTimeout,
    stopGraceMs: flags.stopGrace,
    keepEngines: flags.keepEngines === true,
    command: [process.execPath, BIN],
    managerCa,
  };
}

/**
 * The auth file's tokens, or (token always, docs/manager.md) the owner token of the manager's OS user,
 * taken from ENGINECONN_TOKEN or generated and served to loopback callers only, as an EngineConn's.
 */
async function resolveAuth(flags: ManagerFlags): Promise<{ auth: AuthConfig | null; generated: string | null }> {
  if (flags.authFile) return { auth: await loadAuthFile(flags.authFile), generated: null };
  return { auth: null, generated: takeOwnerToken() };
}

/**
 * As root the engines run as their users, and so do their tasks: a credential file they could read
 * (the auth file lists every user's token, the admin's too; the TLS key) would be theirs. The users
 * are whoever asks, so the rule is the file's mode: root's, and no group or other bits.
 */
async function assertRootOnly(files: { path: string; what: string }[]): Promise<void> {
  if (!runningAsRoot()) return;
  for (const { path, what } of files) {
    const info = await stat(path);
    if (info.uid !== 0 || (info.mode & 0o077) !== 0) {
      throw new ConfigInvalidError(
        `${what} '${path}' is readable by others, and the engines' tasks run as other users: chown root and chmod 600 it.`,
      );
    }
  }
}

interface Running {
  app: FastifyInstance;
  manager: EngineManager;
  jobs: JobService;
  store: RegistryStore;
}

async function closeAll(parts: Partial<Running>, logger: Logger): Promise<void> {
  await parts.manager?.close().catch((err: unknown) => logger.error({ err }, 'stopping the engines failed'));
  parts.jobs?.close();
  if (parts.app) await closeServer(parts.app).catch(() => {});
  parts.store?.close();
}

/** Runs `engineconn manager start` until a signal and returns the exit code. */
export async function runManager(flags: ManagerFlags): Promise<number> {
  const logger = createLogger(flags.logLevel, { component: 'manager' });
  const parts: Partial<Running> = {};
  let unpublish: () => void = () => {};
  try {
    const tls = await readTlsFiles(flags);
    checkPlainHttpBind(flags.host, tls, flags, logger);
    // The engines it launches report back over HTTPS then, and must trust its certificate.
    const settings = parseManagerSettings(flags, tls?.cert ?? null);
    const { port } = flags;
    const { auth, generated } = await resolveAuth(flags);
    await assertRootOnly([
      ...(flags.authFile ? [{ path: flags.authFile, what: 'The auth file' }] : []),
      ...(tls && flags.tlsKey ? [{ path: flags.tlsKey, what: 'The TLS key' }] : []),
    ]);
    await mkdir(join(settings.dataDir, 'engines'), { recursive: true, mode: 0o711 });
    // As root the engines run as their users, who must be able to reach their own directory below.
    if (runningAsRoot())
      for (const dir of [settings.dataDir, join(settings.dataDir, 'engines')]) await chmod(dir, 0o711);
    parts.store = new RegistryStore(settings.dataDir);
    const registry = new EngineRegistry(parts.store);
    const metrics = new ManagerMetrics(registry);
    const url = (): string => publicUrl(flags.host, parts.app?.server.address() as AddressInfo, tls ? 'https' : 'http');
    parts.manager = new EngineManager(settings, registry, url, logger, metrics);
    parts.jobs = new JobService(parts.manager, logger);
    parts.app = await buildManagerApp({
      manager: parts.manager,
      jobs: parts.jobs,
      metrics,
      auth,
      ownerToken: generated ?? undefined,
      owner: defaultUser(),
      guard: { bindHost: flags.host, publicUrls: flags.publicUrl ?? [], allowOrigins: flags.allowOrigin ?? [] },
      https: tls ?? undefined,
      logger,
    });
    try {
      await parts.app.listen({ host: flags.host, port });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigInvalidError(
        code === 'EADDRINUSE'
          ? `Port ${port} on ${flags.host} is already in use; stop what runs there or pick another --port.`
          : `Cannot listen on ${flags.host}:${port}: ${(err as Error).message}`,
      );
    }
    await parts.manager.start();
    // The CLI and SDK of the same OS user find the generated token for this URL by themselves.
    unpublish = publishOwnerToken(url(), generated ?? undefined, logger);
    if (flags.readyFile) {
      await writeReadyFile(flags.readyFile, {
        url: url(),
        pid: process.pid,
        ...(generated ? { token: generated } : {}),
      });
    }
    logger.info({ url: url(), dataDir: settings.dataDir }, 'manager serving');
    process.stdout.write(`EngineConnManager listening on ${url()}\n`);
    if (generated && !flags.readyFile)
      process.stdout.write(`Owner token (also in this user's runtime file): ${generated}\n`);
  } catch (err) {
    await closeAll({ ...parts, manager: undefined }, logger);
    const error = EngineConnError.from(err, 'EC_CONFIG_INVALID');
    process.stderr.write(`engineconn: the manager failed to start: ${error.message} [${error.code}]\n`);
    return 1;
  }

  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    const onSignal = (received: NodeJS.Signals) => {
      process.once(received, () => process.exit(received === 'SIGINT' ? 130 : 143));
      resolveSignal(received);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  logger.info({ signal, keepEngines: flags.keepEngines === true }, 'manager shutting down');
  await closeAll(parts, logger);
  unpublish();
  if (flags.readyFile) await removeReadyFile(flags.readyFile).catch(() => {});
  return 0;
}
