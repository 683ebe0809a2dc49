import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EngineConnRuntime,
  EngineCreationContext,
  type EnginePlugin,
  type ExecutorKind,
  type TaskInfo,
} from '@engineconn/core';
import { createTestEngine, waitFor } from '@engineconn/testkit';
import type { FastifyInstance, FastifyPluginAsync, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../http/app.js';
import type { AuthConfig, ShareLevel } from '../http/auth.js';
import type { RequestGuardOptions } from '../http/request-guard.js';

export interface TestServer {
  app: FastifyInstance;
  runtime: EngineConnRuntime;
  /** The owner token (null with an auth file): what requests send when they name no token. */
  ownerToken: string | null;
  /** app.inject with the given bearer token (undefined: the owner token; null: none). */
  request(opts: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  submit(code: string, token?: string | null, extra?: Record<string, unknown>): Promise<{ id: string; status: string }>;
  /** Polls GET /api/v1/tasks/:id until the task is terminal. */
  finished(id: string, token?: string | null): Promise<TaskInfo>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  executor?: ExecutorKind;
  auth?: AuthConfig | null;
  owner?: string;
  options?: Record<string, string>;
  plugin?: EnginePlugin<unknown>;
  bodyLimit?: number;
  sseHeartbeatMs?: number;
  plugins?: FastifyPluginAsync[];
  shareLevel?: ShareLevel;
  guard?: RequestGuardOptions;
}

const TERMINAL = new Set(['Succeed', 'Failed', 'Cancelled', 'Timeout']);

/** A real runtime on the test engine behind the real app, driven in-process with `app.inject`. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ec-server-test-'));
  const plugin = opts.plugin ?? (createTestEngine() as EnginePlugin<unknown>);
  const context = new EngineCreationContext({
    id: 'ec-test',
    user: opts.owner ?? 'owner',
    engineType: plugin.name,
    executor: opts.executor ?? 'concurrent',
    labels: {},
    options: { 'ec.killGrace': '200ms', 'ec.shutdownGrace': '1s', ...opts.options },
    dataDir,
  });
  const runtime = await EngineConnRuntime.create({ plugin, context });
  const app = await buildApp({
    runtime,
    auth: opts.auth ?? null,
    shareLevel: opts.shareLevel,
    guard: opts.guard,
    logger: false,
    ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}),
    ...(opts.sseHeartbeatMs ? { sseHeartbeatMs: opts.sseHeartbeatMs } : {}),
    ...(opts.plugins ? { plugins: opts.plugins } : {}),
  });
  const { ownerToken } = app.engineConn.authenticator;
  const request: TestServer['request'] = ({ token, ...rest }) => {
    const bearer = token === undefined ? ownerToken : token;
    return app.inject({
      ...rest,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...rest.headers },
    });
  };
  return {
    app,
    runtime,
    ownerToken,
    request,
    async submit(code, token, extra = {}) {
      const res = await request({ method: 'POST', url: '/api/v1/tasks', payload: { code, ...extra }, token });
      if (res.statusCode !== 202) throw new Error(`submit failed: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async finished(id, token) {
      return waitFor(
        async () => {
          const info = (await request({ method: 'GET', url: `/api/v1/tasks/${id}`, token })).json<TaskInfo>();
          return TERMINAL.has(info.status) ? info : null;
        },
        { what: `task ${id} to finish` },
      );
    },
    async close() {
      await runtime.shutdown('test over');
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
