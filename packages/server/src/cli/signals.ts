import type { EngineConnRuntime } from '@engineconn/core';
import type { Logger } from 'pino';

export interface SignalHandlers {
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | null;
  dispose(): void;
}

/**
 * SIGTERM / SIGINT start a graceful shutdown (drain, then exit with the runtime's code); a second
 * signal exits at once, for an operator who will not wait for the drain.
 */
export function installSignalHandlers(runtime: EngineConnRuntime, logger: Logger): SignalHandlers {
  let received: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`engineconn: second ${signal}, exiting without waiting for the drain\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received = signal;
    logger.info({ signal }, 'signal received; draining tasks before exit (send it again to exit now)');
    runtime.shutdown(`signal ${signal}`).catch((err: unknown) => logger.error({ err }, 'shutdown failed'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
