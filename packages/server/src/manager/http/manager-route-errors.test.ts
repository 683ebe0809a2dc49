import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@engineconn/testkit';
import { ALICE, AS_ROOT, BOB, ensureOsUser, TOKENS } from '../../e2e/spawn-manager.js';
import { parseAuthConfig } from '../../http/auth.js';
import type { RegisteredRoute } from '../../http/openapi/api-route.js';
import {
  ACCESS_PROBES,
  ErrorLedger,
  injectOptions,
  notJsonObjectBodies,
  PROBE_BODY_LIMIT,
  type Probe,
  wrongFields,
} from '../../test-support/route-probes.js';
import { startTestManager, type TestManager } from '../../test-support/test-manager.js';

/*
 * The manager's routes, as http/openapi/route-errors.test.ts does the EngineConn's: every route is
 * called under every situation below (no or a bad token, a remote caller, a foreign page, bodies
 * that are not JSON or too large, each input field wrong, unknown ids, another user, a user with no
 * OS account, launches that fail or time out, the limits, an engine that does not answer, a Lost
 * engine, a manager shutting down), and:
 * - every code a route answers must be one it declares;
 * - every code a route declares must be answered in one of them.
 * Launches run the real CLI as the callers' OS users (the manager is root in CI); the failing and
 * hanging "engines" are node one-liners in its place, since a real engine that fails on cue is what
 * they stand for.
 */

const AUTH = parseAuthConfig({
  tokens: [
    { token: TOKENS.alice, user: ALICE },
    { token: TOKENS.bob, user: BOB },
    // No OS account of that name: a manager running as root launches nothing for it.
    { token: TOKENS.admin, user: 'ecm-no-such-os-user', admin: true },
  ],
});

/** What the probes address: the real engine and job of the first manager. */
interface Ids {
  engine: string;
  job: string;
  /** The engine's launch secret, which its reports carry. */
  secret: string;
  pid: number;
}

interface Situation {
  name: string;
  /** The manager the situation runs against. */
  manager: 'main' | 'open' | 'failing' | 'hanging' | 'limited';
  /** The token requests send unless the probe names one (default: alice's, or the owner token without an auth file). */
  token?: string;
  setup?(manager: TestManager, ids: Ids): Promise<void>;
  probes(route: RegisteredRoute, ids: Ids): Probe[];
}

const key = (route: RegisteredRoute): string => `${route.method.toUpperCase()} ${route.url}`;
const isAsk = (route: RegisteredRoute) => route.url === '/api/v1/engines/ask' || key(route) === 'POST /api/v1/jobs';
const isReport = (route: RegisteredRoute) => route.url.startsWith('/api/v1/engineconns/');
/** An ask's body, or a job's (which always reuses) for the same engine. */
const askBody = (route: RegisteredRoute, engineType: string, extra: { labels?: Record<string, string> } = {}) =>
  route.url === '/api/v1/jobs' ? { engineType, code: 'select 1', ...extra } : { engineType, ...extra, reuse: false };
/** Stops the engine the other situations need: only where the engine is gone anyway. */
const isStop = (route: RegisteredRoute) => route.method === 'delete';

const SITUATIONS: Situation[] = [
  { name: 'alice, with valid requests', manager: 'main', probes: (route) => (isStop(route) ? [] : [{}]) },
  { name: 'no token', manager: 'main', probes: () => [ACCESS_PROBES.noToken] },
  { name: 'an unknown token', manager: 'main', probes: () => [ACCESS_PROBES.unknownToken] },
  { name: 'a page of another origin', manager: 'main', probes: () => [ACCESS_PROBES.foreignOrigin] },
  {
    name: 'bodies that are not JSON objects',
    manager: 'main',
    probes: notJsonObjectBodies,
  },
  {
    name: 'each input field wrong',
    manager: 'main',
    probes: (route) => [
      ...wrongFields(route.api.params)
        .filter(() => !isStop(route))
        .map((params) => ({ params })),
      ...wrongFields(route.api.query).map((query) => ({ query })),
    ],
  },
  {
    name: 'an engine type nobody has',
    manager: 'main',
    probes: (route) => (isAsk(route) ? [{ body: askBody(route, 'no-such-engine') }] : []),
  },
  {
    name: 'unknown ids',
    manager: 'main',
    probes: (route) => [
      { params: { id: 'no-such-id' } },
      ...(route.url.endsWith(':index') ? [{ params: { index: '99' } }] : []),
    ],
  },
  { name: 'another user', manager: 'main', token: TOKENS.bob, probes: () => [{}] },
  {
    name: 'a user with no OS account of their own',
    manager: 'main',
    token: TOKENS.admin,
    probes: (route) => (isAsk(route) ? [{ body: askBody(route, 'duckdb') }] : []),
  },
  {
    name: "the engine's own reports, with its secret but wrong",
    manager: 'main',
    probes: (route, ids) => {
      if (!isReport(route)) return [];
      const moved = {
        id: ids.engine,
        url: 'http://127.0.0.1:1',
        pid: ids.pid,
        engineType: 'duckdb',
        engineVersion: '1',
        executor: 'serial',
        labels: {},
        user: ALICE,
        startedAt: new Date().toISOString(),
      };
      return [
        { token: ids.secret, body: { not: 'a report' } },
        ...(route.url.endsWith('/register') ? [{ token: ids.secret, body: moved }] : []),
      ];
    },
  },
  {
    name: 'a remote caller without an auth file',
    manager: 'open',
    probes: () => [ACCESS_PROBES.remoteCaller],
  },
  {
    name: 'a body over the limit',
    manager: 'open',
    probes: () => [ACCESS_PROBES.overBodyLimit],
  },
  {
    name: 'an engine that exits before it is ready',
    manager: 'failing',
    probes: (route) => (isAsk(route) ? [{}] : []),
  },
  { name: 'an engine that never gets ready', manager: 'hanging', probes: (route) => (isAsk(route) ? [{}] : []) },
  {
    name: 'the engine limit, with a launch under way',
    manager: 'limited',
    async setup(manager) {
      const ask = { method: 'POST', url: '/api/v1/engines/ask', payload: { engineType: 'duckdb' } } as const;
      void manager.request({ ...ask, token: TOKENS.alice });
      await waitFor(() => manager.manager.pending.all().length === 1, { what: 'the first launch to be under way' });
    },
    // Other labels: an ask for the same key would wait for the launch under way instead.
    probes: (route) => (isAsk(route) ? [{ body: askBody(route, 'duckdb', { labels: { other: 'key' } }) }] : []),
  },
  {
    name: 'an engine that does not answer',
    manager: 'main',
    async setup(manager, ids) {
      // Its port closed, as if the process hung up: the watcher has not called it Lost yet.
      manager.manager.registry.update(ids.engine, { url: 'http://127.0.0.1:1' });
    },
    probes: (route) => (isStop(route) ? [] : [{}]),
  },
  {
    name: 'a Lost engine',
    manager: 'main',
    async setup(manager, ids) {
      process.kill(ids.pid, 'SIGKILL');
      await waitFor(() => manager.manager.registry.find(ids.engine)?.status === 'Lost', {
        what: 'the killed engine to be Lost',
      });
    },
    probes: (route, ids) => [{}, ...(isReport(route) ? [{ token: ids.secret }] : [])],
  },
  {
    name: 'a manager shutting down',
    manager: 'main',
    async setup(manager) {
      await manager.manager.close();
    },
    probes: () => [{}],
  },
];

describe('declared error codes of every manager route', {
  skip: !AS_ROOT && 'launches engines as OS users: root only',
}, () => {
  const ledger = new ErrorLedger();
  const managers = new Map<Situation['manager'], TestManager>();
  let ids: Ids;

  before(async () => {
    ensureOsUser(ALICE);
    ensureOsUser(BOB);
    const node = process.execPath;
    const [main, open, failing, hanging, limited] = await Promise.all([
      startTestManager({ auth: AUTH }),
      startTestManager({ bodyLimit: PROBE_BODY_LIMIT }),
      startTestManager({ auth: AUTH, settings: { command: [node, '-e', 'process.exit(3)'] } }),
      startTestManager({
        auth: AUTH,
        settings: { command: [node, '-e', 'setInterval(() => {}, 60_000)'], engineStartTimeoutMs: 100 },
      }),
      startTestManager({
        auth: AUTH,
        settings: { command: [node, '-e', 'setInterval(() => {}, 60_000)'], maxEnginesPerUser: 1 },
      }),
    ]);
    managers.set('main', main).set('open', open).set('failing', failing).set('hanging', hanging);
    managers.set('limited', limited);
    const token = TOKENS.alice;
    const job = await main.request({
      method: 'POST',
      url: '/api/v1/jobs',
      token,
      payload: { engineType: 'duckdb', code: 'select 42 as answer' },
    });
    assert.equal(job.statusCode, 202, job.body);
    const { id, engineId } = job.json() as { id: string; engineId: string };
    await waitFor(
      async () => {
        const view = await main.request({ method: 'GET', url: `/api/v1/jobs/${id}`, token });
        return (view.json() as { status: string }).status === 'Succeed';
      },
      { what: 'the job to succeed' },
    );
    const record = main.manager.registry.find(engineId);
    assert.ok(record);
    ids = { engine: engineId, job: id, secret: record.secret, pid: record.pid };
  });
  after(async () => {
    await Promise.all([...managers.values()].map((manager) => manager.close()));
  });

  for (const situation of SITUATIONS) {
    test(`every code answered to ${situation.name} is declared`, async () => {
      const manager = managers.get(situation.manager) as TestManager;
      await situation.setup?.(manager, ids);
      const token = situation.token ?? (manager.ownerToken ? undefined : TOKENS.alice);
      // A stop forgets the engine and its jobs: it goes last, so the other routes see the situation as set up.
      const routes = [...manager.app.apiRoutes].sort((a, b) => Number(isStop(a)) - Number(isStop(b)));
      assert.ok(routes.length >= 20, `only ${routes.length} routes are declared`);
      for (const route of routes) {
        ledger.declare(route);
        const defaults = { id: route.url.startsWith('/api/v1/jobs/') ? ids.job : ids.engine, index: '0' };
        for (const probe of situation.probes(route, ids)) {
          const res = await manager.request({ token, ...injectOptions(route, probe, defaults) });
          ledger.check(route, probe, res);
        }
      }
    });
  }

  test('every code a route declares is answered in one of the situations', () => {
    ledger.assertEachAnswered(20);
  });
});
