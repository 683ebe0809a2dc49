import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { parseManagerSettings } from '../cli/run-manager.js';
import type { AuthConfig } from '../http/auth.js';
import { EngineManager } from '../manager/engine-manager.js';
import { buildManagerApp } from '../manager/http/manager-app.js';
import { ManagerMetrics } from '../manager/http/manager-metrics.js';
import { JobService } from '../manager/jobs/job-service.js';
import type { ManagerSettings } from '../manager/manager-settings.js';
import { EngineRegistry } from '../manager/registry/engine-registry.js';
import { RegistryStore } from '../manager/registry/registry-store.js';

export interface TestManagerOptions {
  auth?: AuthConfig | null;
  /** What to change in the settings `engineconn manager start` would run with (its defaults). */
  settings?: Partial<ManagerSettings>;
  bodyLimit?: number;
}

/** A real manager (registry, launcher, watcher, jobs) behind its real app, listening on a free loopback port. */
export interface TestManager {
  readonly app: FastifyInstance;
  readonly manager: EngineManager;
  readonly url: string;
  /** The owner token (null with an auth file): what requests send when they name no token. */
  readonly ownerToken: string | null;
  /** app.inject with the given bearer token (undefined: the owner token; null: none). */
  request(opts: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  /** Stops the engines it launched, then the app, and removes its data dir. */
  close(): Promise<void>;
}

const OWNER_TOKEN = 'test-manager-owner-token';

export async function startTestManager(opts: TestManagerOptions = {}): Promise<TestManager> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-test-mgr-'));
  // The engines run as their users (the manager is root in CI), who must reach their own directory below.
  await chmod(dir, 0o711);
  const settings: ManagerSettings = {
    ...parseManagerSettings({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      maxEngines: 0,
      maxEnginesPerUser: 0,
      engineStartTimeout: 60_000,
      engineIdleTime: 0,
      heartbeatInterval: 10_000,
      orphanTimeout: 10 * 60_000,
      stopGrace: 2000,
      logLevel: 'silent',
    }),
    ...opts.settings,
  };
  await mkdir(join(dir, 'engines'), { recursive: true, mode: 0o711 });
  await chmod(join(dir, 'engines'), 0o711);
  const store = new RegistryStore(dir);
  const registry = new EngineRegistry(store);
  const logger = pino({ level: 'silent' });
  let url = '';
  const metrics = new ManagerMetrics(registry);
  const manager = new EngineManager(settings, registry, () => url, logger, metrics);
  const jobs = new JobService(manager, logger);
  const auth = opts.auth ?? null;
  const app = await buildManagerApp({
    manager,
    jobs,
    metrics,
    auth,
    ownerToken: auth ? undefined : OWNER_TOKEN,
    owner: 'owner',
    ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}),
    logger: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await manager.start();
  const ownerToken = auth ? null : OWNER_TOKEN;
  let closing: Promise<void> | undefined;
  return {
    app,
    manager,
    url,
    ownerToken,
    request({ token, ...inject }) {
      const bearer = token === undefined ? ownerToken : token;
      return app.inject({
        ...inject,
        headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...inject.headers },
      });
    },
    close() {
      closing ??= (async () => {
        await manager.close();
        jobs.close();
        await app.close();
        store.close();
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
