import type { EngineConnRuntime } from '@engineconn/core';
import type { Logger } from 'pino';

export interface SignalHandlers {
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | null;
  /** Aborted by the first signal: passed to `EngineConnRuntime.create`, it abandons start-up. */
  readonly signal: AbortSignal;
  /** From now on the first signal shuts `runtime` down (at once if it came already). */
  attach(runtime: EngineConnRuntime): void;
  dispose(): void;
}

/**
 * SIGTERM / SIGINT abandon start-up, or once started begin a graceful shutdown (drain, then exit
 * with the runtime's code); a second signal exits at once, for an operator who will not wait.
 */
export function installSignalHandlers(logger: Logger): SignalHandlers {
  let received: NodeJS.Signals | null = null;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`engineconn: second ${signal}, exiting without waiting for the drain\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received = signal;
    logger.info({ signal }, 'signal received; draining tasks before exit (send it again to exit now)');
    controller.abort(new Error(`signal ${signal} received`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get received() {
      return received;
    },
    signal: controller.signal,
    attach(runtime) {
      const stop = () => {
        runtime.shutdown(`signal ${received}`).catch((err: unknown) => logger.error({ err }, 'shutdown failed'));
      };
      if (controller.signal.aborted) stop();
      else controller.signal.addEventListener('abort', stop, { once: true });
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
