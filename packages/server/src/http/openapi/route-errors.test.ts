import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createMetricsPlugin } from '../../metrics/metrics-plugin.js';
import {
  ACCESS_PROBES,
  ErrorLedger,
  injectOptions,
  notJsonObjectBodies,
  PROBE_BODY_LIMIT,
  type Probe,
  wrongFields,
} from '../../test-support/route-probes.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../test-support/test-server.js';
import { parseAuthConfig } from '../auth.js';
import { eventsWsPlugin } from '../ws/events-ws.js';
import type { RegisteredRoute } from './api-route.js';
import { openApiPlugin } from './openapi-plugin.js';

/*
 * Every route's declared error codes (its `config.api.errors` plus those of the hooks it passes)
 * against what it really answers. Each route is called under every situation below (no or a bad
 * token, a remote caller, a foreign page, a body that is not JSON or too large, each input field
 * wrong, unknown ids, another user, a locked, busy, unhealthy or stopping EngineConn), and:
 * - every code a route answers must be one it declares: a handler that starts throwing a new code
 *   fails here until the route declares it (and so documents it);
 * - every code a route declares must be answered in one of them: a stale declaration fails too.
 */

const AUTH = parseAuthConfig({
  tokens: [
    { token: 'tok-owner', user: 'owner' },
    { token: 'tok-bob', user: 'bob' },
  ],
});

interface Ids {
  /** A finished task of the owner's with a TABLE (0) and a TEXT (1) result set. */
  task: string;
  /** A lock held now, when the situation holds one. */
  lock?: string;
}

interface Situation {
  name: string;
  server?: TestServerOptions;
  /** The token requests send unless the probe names one (default: the owner token). */
  token?: string;
  setup?(server: TestServer, ids: Ids): Promise<void>;
  probes(route: RegisteredRoute): Probe[];
}

const SITUATIONS: Situation[] = [
  { name: 'the owner, with valid requests', probes: () => [{}] },
  { name: 'no token', probes: () => [ACCESS_PROBES.noToken] },
  { name: 'an unknown token', probes: () => [ACCESS_PROBES.unknownToken] },
  { name: 'a remote caller without an auth file', probes: () => [ACCESS_PROBES.remoteCaller] },
  { name: 'a page of another origin', probes: () => [ACCESS_PROBES.foreignOrigin] },
  {
    name: 'bodies that are not JSON objects',
    probes: notJsonObjectBodies,
  },
  {
    name: 'a body over the limit',
    server: { bodyLimit: PROBE_BODY_LIMIT },
    probes: () => [ACCESS_PROBES.overBodyLimit],
  },
  {
    name: 'each input field wrong',
    probes: (route) => [
      ...wrongFields(route.api.params).map((params) => ({ params })),
      ...wrongFields(route.api.query).map((query) => ({ query })),
    ],
  },
  {
    name: 'unknown ids',
    probes: () => [{ params: { id: 'no-such-task', lock: 'no-such-lock' } }, { params: { index: '99' } }],
  },
  {
    name: 'another user, on an EngineConn shared only with its owner',
    server: { auth: AUTH },
    token: 'tok-bob',
    probes: () => [{}],
  },
  {
    name: 'another user, while the owner holds the lock of a shared serial EngineConn',
    server: { auth: AUTH, shareLevel: 'server', executor: 'serial' },
    token: 'tok-bob',
    async setup(server, ids) {
      const res = await server.request({ method: 'POST', url: '/api/v1/locks', payload: {}, token: 'tok-owner' });
      ids.lock = (res.json() as { lock: string }).lock;
    },
    probes: () => [{}],
  },
  {
    name: 'a serial EngineConn busy with a task',
    server: { executor: 'serial' },
    async setup(server) {
      await server.submit('sleep 60000');
    },
    probes: () => [{}],
  },
  {
    name: 'an UnHealthy EngineConn',
    async setup(server) {
      // An idle UnHealthy EngineConn releases itself at once: a running task keeps it up.
      await server.submit('sleep 60000');
      server.runtime.setHealth('UnHealthy', 'marked by the test');
    },
    probes: () => [{}],
  },
  {
    name: 'an EngineConn shutting down',
    async setup(server) {
      await server.submit('sleep 60000');
      void server.runtime.shutdown('the test stops it');
    },
    probes: () => [{}],
  },
];

/** Routes that change the EngineConn for good go last, so the others see the situation as set up. */
const LAST = ['post /api/v1/engineconn/shutdown', 'post /api/v1/engineconn/health'];
const order = (route: RegisteredRoute): number => LAST.indexOf(`${route.method} ${route.url}`);

describe('declared error codes of every route', () => {
  const ledger = new ErrorLedger();
  const servers: TestServer[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  for (const situation of SITUATIONS) {
    test(`every code answered to ${situation.name} is declared`, async () => {
      const server = await startTestServer({
        ...situation.server,
        plugins: [eventsWsPlugin, openApiPlugin, createMetricsPlugin()],
      });
      servers.push(server);
      const token = situation.token ?? (situation.server?.auth ? 'tok-owner' : undefined);
      const rows = await server.submit('rows 2; text hello', situation.server?.auth ? 'tok-owner' : undefined);
      const ids: Ids = { task: rows.id };
      await server.finished(ids.task, situation.server?.auth ? 'tok-owner' : undefined);
      await situation.setup?.(server, ids);
      const routes = [...server.app.apiRoutes].sort((a, b) => order(a) - order(b));
      assert.ok(routes.length >= 18, `only ${routes.length} routes are declared`);
      for (const route of routes) {
        ledger.declare(route);
        for (const probe of situation.probes(route)) {
          const res = await server.request({
            token,
            ...injectOptions(route, probe, { id: ids.task, index: '0', lock: ids.lock ?? 'no-lock-held' }),
          });
          ledger.check(route, probe, res);
        }
      }
    });
  }

  test('every code a route declares is answered in one of the situations', () => {
    ledger.assertEachAnswered(18);
  });
});
