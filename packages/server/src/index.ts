export { type EngineContextFlags, type ResolvedEngineContext, resolveEngineContext } from './cli/engine-context.js';
export { runStart, type StartFlags } from './cli/run-start.js';
export { ENGINE_NAMES, loadEngine } from './engines/registry.js';
export { DEFAULT_BODY_LIMIT } from './http/api-fastify.js';
export { type BuildAppOptions, buildApp } from './http/app.js';
export {
  type AuthConfig,
  Authenticator,
  AuthFileSchema,
  isLoopback,
  loadAuthFile,
  parseAuthConfig,
} from './http/auth.js';
export type { EngineConnServerContext } from './http/context.js';
export { type InputPlace, parseInput, parseWait } from './http/parse-input.js';
export { SERVER_PLUGINS } from './http/server-plugins.js';
export { formatSseEvent } from './http/sse.js';
export { EngineConnMetrics, type EngineConnMetricsOptions } from './metrics/engine-conn-metrics.js';
export { createMetricsPlugin } from './metrics/metrics-plugin.js';
