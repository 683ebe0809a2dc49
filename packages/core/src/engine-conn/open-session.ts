import { mkdirSync } from 'node:fs';
import { EngineConnError } from '@engineconn/protocol/constants';
import type { EngineCreationContext } from '../context/engine-creation-context.js';
import { ConfigInvalidError } from '../errors/errors.js';
import type { EngineLogger, EnginePlugin } from '../plugin/engine-plugin.js';
import { formatDuration } from '../util/duration.js';
import { setLongTimeout } from '../util/long-timer.js';
import type { HookRunner } from './hook-runner.js';
import { checkOptionKeys } from './option-keys.js';
import { type RuntimeSettings, readRuntimeSettings } from './runtime-settings.js';

/** Reads and checks the options an EngineConn starts with; throws EC_CONFIG_INVALID naming the culprit. */
export function validateStart(plugin: EnginePlugin<unknown>, ctx: EngineCreationContext): RuntimeSettings {
  if (!plugin.executors.includes(ctx.executor)) {
    throw new ConfigInvalidError(
      `The ${plugin.name} engine cannot run under the ${ctx.executor} executor; use one of: ${plugin.executors.join(', ')}.`,
    );
  }
  checkOptionKeys(ctx, plugin);
  return readRuntimeSettings(ctx, plugin);
}

/** Throws the start-up error for an abandoned start if `signal` was aborted. */
export function throwIfAbandoned(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abandoned(signal);
}

function abandoned(signal: AbortSignal): EngineConnError {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new EngineConnError('EC_ENGINE_START_FAILED', `Start-up was abandoned: ${detail}`, { cause: reason });
}

export interface OpenSessionOptions {
  plugin: EnginePlugin<unknown>;
  context: EngineCreationContext;
  settings: RuntimeSettings;
  hooks: HookRunner;
  logger: EngineLogger;
  /** Aborted when start-up is abandoned (a shutdown or signal while the engine starts). */
  signal: AbortSignal | undefined;
}

/**
 * Makes the data directory, runs `beforeCreateEngineConn` and creates the engine's session. The
 * session's `SessionEnv.signal` aborts when the caller abandons start-up or `ec.startTimeout`
 * passes; start-up then fails at once even if the engine ignores the signal, and a session that
 * still arrives later is closed, so nothing the engine opened is left behind.
 */
export async function openSession(opts: OpenSessionOptions): Promise<unknown> {
  const { plugin, context: ctx, settings, signal } = opts;
  throwIfAbandoned(signal);
  // Synchronous (once per EngineConn, and the directory usually exists): the engine's createSession
  // is then called before the event loop next turns, so an interpreter spawns, or a database starts
  // opening on the thread pool, before anything the caller does next on that turn (the CLI builds
  // its HTTP server then, and overlaps the engine's start with it).
  mkdirSync(ctx.dataDir, { recursive: true });
  await opts.hooks.run('beforeCreateEngineConn', (h) => h.beforeCreateEngineConn?.(ctx));
  throwIfAbandoned(signal);
  // A long timer, not AbortSignal.timeout: that one fires after 1 ms past about 24.8 days, and
  // ec.startTimeout may be set up to the documented maximum duration.
  const timeoutController = new AbortController();
  const timer = setLongTimeout(
    () => timeoutController.abort(new DOMException('ec.startTimeout passed', 'TimeoutError')),
    settings.startTimeoutMs,
  );
  const timeout = timeoutController.signal;
  const sessionSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const whyAborted = (): EngineConnError =>
    timeout.aborted && !signal?.aborted
      ? new EngineConnError(
          'EC_ENGINE_START_FAILED',
          `The ${plugin.name} session did not open within ec.startTimeout (${formatDuration(settings.startTimeoutMs)}); raise it or check that the engine can start.`,
        )
      : abandoned(sessionSignal);
  // The engine's own signal: it follows the start-up's only until the session has opened, so a
  // session that keeps it does not see a later SIGTERM or the start timeout as an abort.
  const envAbort = new AbortController();
  const env = { concurrency: settings.concurrency, logger: opts.logger, signal: envAbort.signal };
  const creating = Promise.resolve().then(() => plugin.createSession(ctx, env));
  let onAbort = (): void => {};
  let abortError: EngineConnError | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      abortError = whyAborted();
      envAbort.abort(sessionSignal.reason);
      reject(abortError);
    };
    if (sessionSignal.aborted) onAbort();
    else sessionSignal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([creating, aborted]);
  } catch (err) {
    if (err === abortError) {
      // Start-up fails now, whatever the engine does; a session it still delivers is closed on arrival.
      creating.then(
        (late) =>
          plugin
            .closeSession(late)
            .catch((e: unknown) => opts.logger.error({ err: e }, 'closing a session that opened too late failed')),
        () => {},
      );
    }
    throw err;
  } finally {
    timer.clear();
    sessionSignal.removeEventListener('abort', onAbort);
  }
}
