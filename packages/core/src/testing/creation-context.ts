import { tmpdir } from 'node:os';
import { EngineCreationContext, type EngineCreationContextInit } from '../context/engine-creation-context.js';
import type { EngineLogger, EnginePlugin, SessionEnv } from '../plugin/engine-plugin.js';

export interface TestContextInit extends Partial<EngineCreationContextInit> {
  /**
   * The engine the context is for: its name, default executor and default options (under
   * `options`), as `engineconn start` would merge them. Without it the engine type is `test`.
   */
  plugin?: Pick<EnginePlugin<unknown>, 'name' | 'defaultExecutor' | 'defaultOptions'>;
}

/**
 * An EngineCreationContext for a test: every field the test does not name gets a neutral value
 * (user `tester`, no labels, the system temporary directory as data directory, which a test that
 * writes there replaces with its own).
 */
export function testCreationContext(init: TestContextInit = {}): EngineCreationContext {
  const { plugin, ...rest } = init;
  return new EngineCreationContext({
    id: 'ec-test',
    user: 'tester',
    engineType: plugin?.name ?? 'test',
    executor: plugin?.defaultExecutor ?? 'concurrent',
    labels: {},
    dataDir: tmpdir(),
    ...rest,
    options: { ...plugin?.defaultOptions, ...rest.options },
  });
}

/** A logger that drops everything: tests assert on what the engine does, not on what it logs. */
export const silentLogger: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The SessionEnv the runtime would give `createSession`, for tests that open a session directly. */
export function testSessionEnv(init: Partial<SessionEnv> = {}): SessionEnv {
  return { concurrency: 1, logger: silentLogger, signal: new AbortController().signal, ...init };
}
