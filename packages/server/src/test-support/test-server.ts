import type { AddressInfo } from 'node:net';
import type { Caller, EngineConnRuntime, EnginePlugin, ExecutorKind, TaskInfo } from '@engineconn/core';
import { createTestEngine, startTestRuntime } from '@engineconn/testkit';
import type { FastifyInstance, FastifyPluginAsync, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type BuildAppOptions, buildApp } from '../http/app.js';
import type { AuthConfig, ShareLevel } from '../http/auth.js';
import type { RequestGuardOptions } from '../http/request-guard.js';

export interface TestServerOptions {
  executor?: ExecutorKind;
  auth?: AuthConfig | null;
  /** The user the EngineConn runs for (default `owner`). */
  owner?: string;
  options?: Record<string, string>;
  /** The engine (default: the testkit's test engine). */
  plugin?: EnginePlugin<unknown>;
  /** Concurrency of the test engine and of the EngineConn. */
  concurrency?: number;
  bodyLimit?: number;
  sseHeartbeatMs?: number;
  sse?: BuildAppOptions['sse'];
  plugins?: FastifyPluginAsync[];
  shareLevel?: ShareLevel;
  guard?: RequestGuardOptions;
}

/** A real runtime behind the real app, driven in-process with `app.inject`. */
export interface TestServer {
  readonly app: FastifyInstance;
  readonly runtime: EngineConnRuntime;
  /** The owner token (null with an auth file): what requests send when they name no token. */
  readonly ownerToken: string | null;
  /** app.inject with the given bearer token (undefined: the owner token; null: none). */
  request(opts: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  submit(code: string, token?: string | null, extra?: Record<string, unknown>): Promise<{ id: string; status: string }>;
  /** Awaits the task's end in the runtime, then answers GET /api/v1/tasks/:id with the given token. */
  finished(id: string, token?: string | null): Promise<TaskInfo>;
  close(): Promise<void>;
}

/** The same, listening on a free loopback port: what tests of real sockets (WebSocket, SSE, SDK) use. */
export interface LiveTestServer extends TestServer {
  readonly url: string;
  /** fetch of `url + path` with the owner token (a given `authorization` header wins). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** Sees every task, to await its end whoever submitted it. */
const ADMIN: Caller = { user: 'test-server', admin: true };

/**
 * Short kill and shutdown graces so a test that stops work is not held up by the backstop, and no
 * idle release in the middle of a test.
 */
const TEST_OPTIONS: Readonly<Record<string, string>> = {
  'ec.killGrace': '200ms',
  'ec.shutdownGrace': '1s',
  'ec.maxFreeTime': '0',
};

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const ec = await startTestRuntime({
    plugin: opts.plugin ?? createTestEngine({ defaultConcurrency: opts.concurrency ?? 4 }),
    user: opts.owner ?? 'owner',
    executor: opts.executor ?? 'concurrent',
    labels: { purpose: 'test' },
    options: {
      ...TEST_OPTIONS,
      ...(opts.concurrency ? { 'ec.concurrency': String(opts.concurrency) } : {}),
      ...opts.options,
    },
  });
  const { runtime } = ec;
  const app = await buildApp({
    runtime,
    auth: opts.auth ?? null,
    shareLevel: opts.shareLevel,
    guard: opts.guard,
    logger: false,
    plugins: opts.plugins ?? [],
    ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}),
    ...(opts.sseHeartbeatMs ? { sseHeartbeatMs: opts.sseHeartbeatMs } : {}),
    ...(opts.sse ? { sse: opts.sse } : {}),
  }).catch(async (err: unknown) => {
    await ec.close();
    throw err;
  });
  const { ownerToken } = app.engineConn.authenticator;
  const request: TestServer['request'] = ({ token, ...rest }) => {
    const bearer = token === undefined ? ownerToken : token;
    return app.inject({
      ...rest,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...rest.headers },
    });
  };
  let closing: Promise<void> | undefined;
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
      await runtime.getTask(id, ADMIN).finished;
      const res = await request({ method: 'GET', url: `/api/v1/tasks/${id}`, token });
      if (res.statusCode !== 200) throw new Error(`GET /api/v1/tasks/${id} failed: ${res.statusCode} ${res.body}`);
      return res.json<TaskInfo>();
    },
    close() {
      closing ??= (async () => {
        // Connections first: a listening server's app.close() waits for open streams to end.
        app.server.closeAllConnections();
        await app.close();
        await ec.close();
      })();
      return closing;
    },
  };
}

export async function startLiveServer(opts: TestServerOptions = {}): Promise<LiveTestServer> {
  const server = await startTestServer(opts);
  try {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    await server.runtime.serverStarted(url);
    return {
      ...server,
      url,
      fetch(path, init = {}) {
        const headers = new Headers(init.headers);
        if (server.ownerToken && !headers.has('authorization'))
          headers.set('authorization', `Bearer ${server.ownerToken}`);
        return fetch(`${url}${path}`, { ...init, headers });
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}
