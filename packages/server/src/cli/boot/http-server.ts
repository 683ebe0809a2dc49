import type { FastifyInstance } from 'fastify';
import type { BuildAppOptions } from '../../http/app.js';
import { FORCE_CLOSE_MS } from '../../http/force-close.js';

type MetricsOptions = NonNullable<Parameters<typeof import('../../metrics/metrics-plugin.js').createMetricsPlugin>[0]>;

/**
 * The HTTP side (fastify, zod, routes, plugins) is imported on its own rather than at the top of
 * the CLI, so it loads while the engine's session opens (an interpreter or database process
 * booting) instead of before it. Called once the session has started opening, it waits for the
 * event loop's next turn: in the bundle an import() initialises its modules in a microtask, which
 * would otherwise run the tens of milliseconds of fastify's and the schemas' set-up ahead of the
 * engine's own first steps, and the interpreter would spawn (or DuckDB start opening) only after.
 */
export function loadServerModules() {
  const modules = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
    Promise.all([
      import('../../http/app.js'),
      import('../../http/server-plugins.js'),
      import('../../metrics/metrics-plugin.js'),
    ]),
  );
  // Awaited once the session has opened; a failure to load must not go unhandled meanwhile.
  modules.catch(() => {});
  return modules;
}

export type ServerModules = ReturnType<typeof loadServerModules>;

/** The full app on a runtime: the API, its WebSocket, the console and the metrics, ready to take connections. */
export async function buildServer(
  modules: ServerModules,
  opts: Omit<BuildAppOptions, 'plugins'>,
  metrics: MetricsOptions,
): Promise<FastifyInstance> {
  const [{ buildApp }, { SERVER_PLUGINS }, { createMetricsPlugin }] = await modules;
  const app = await buildApp({ ...opts, plugins: [...SERVER_PLUGINS, createMetricsPlugin(metrics)] });
  try {
    await app.ready();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}

/**
 * Closes the server once the requests in flight are answered (`drained`: with an early listener,
 * its drained(), since the server never accepted the connections it was handed); connections that
 * outlive the drain (a stalled client) must not keep the process alive.
 */
export async function closeServer(app: FastifyInstance, drained: () => Promise<void> = async () => {}): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), FORCE_CLOSE_MS);
  force.unref();
  try {
    await app.close();
    await drained();
  } finally {
    clearTimeout(force);
  }
}
