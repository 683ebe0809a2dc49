import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineConnRuntime, EngineCreationContext, type EnginePlugin, type ExecutorKind } from '@engineconn/core';
import { createTestEngine } from '@engineconn/testkit';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { type BuildAppOptions, buildApp } from '../http/app.js';
import type { AuthConfig, ShareLevel } from '../http/auth.js';

export interface LiveServer {
  readonly url: string;
  /** The owner token (undefined with an auth file). */
  readonly token: string | undefined;
  readonly runtime: EngineConnRuntime;
  readonly app: FastifyInstance;
  /** fetch of `url + path` with the owner token (a given `authorization` header wins). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface LiveServerOptions {
  auth?: AuthConfig | null;
  plugins?: FastifyPluginAsync[];
  executor?: ExecutorKind;
  concurrency?: number;
  options?: Record<string, string>;
  user?: string;
  shareLevel?: ShareLevel;
  sse?: BuildAppOptions['sse'];
}

/**
 * A real EngineConn on the in-process test engine, listening on a free loopback port: what the
 * live-client tests talk to over real sockets.
 */
export async function startLiveServer(opts: LiveServerOptions = {}): Promise<LiveServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ec-live-'));
  const plugin = createTestEngine({ defaultConcurrency: opts.concurrency ?? 4 });
  const context = new EngineCreationContext({
    id: `ec-live-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    user: opts.user ?? 'owner',
    engineType: plugin.name,
    executor: opts.executor ?? 'concurrent',
    labels: { purpose: 'test' },
    options: {
      'ec.maxFreeTime': '0',
      ...(opts.concurrency ? { 'ec.concurrency': String(opts.concurrency) } : {}),
      ...opts.options,
    },
    dataDir,
  });
  const runtime = await EngineConnRuntime.create({ plugin: plugin as unknown as EnginePlugin<unknown>, context });
  const app = await buildApp({
    runtime,
    auth: opts.auth ?? null,
    shareLevel: opts.shareLevel,
    plugins: opts.plugins ?? [],
    ...(opts.sse ? { sse: opts.sse } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await runtime.serverStarted(url);
  let closing: Promise<void> | null = null;
  const token = app.engineConn.authenticator.ownerToken ?? undefined;
  return {
    url,
    token,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      return fetch(`${url}${path}`, { ...init, headers });
    },
    runtime,
    app,
    close() {
      closing ??= (async () => {
        app.server.closeAllConnections();
        await app.close();
        await runtime.shutdown('test over');
        await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
