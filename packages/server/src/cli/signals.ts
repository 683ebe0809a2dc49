export interface SignalHandlers {
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | null;
  /** Aborted by the first signal: passed to the boot, it abandons start-up. */
  readonly signal: AbortSignal;
  /** From now on the first signal runs `stop` (at once if it came already). */
  attach(stop: () => void): void;
  dispose(): void;
}

/** What a command says and does around the signals; the rest is the same for `start` and `once`. */
export interface SignalPolicy {
  /** Tells the operator what the first signal does, and that a second one exits at once. */
  announce(signal: NodeJS.Signals): void;
  /** The exit code of a second signal. */
  exitCode(signal: NodeJS.Signals): number;
}

/**
 * SIGTERM / SIGINT abandon start-up, or once started stop the runtime (`start` drains and exits
 * with the runtime's code, `once` kills its job); a second signal exits at once, for an operator
 * who will not wait.
 */
export function installSignalHandlers(policy: SignalPolicy): SignalHandlers {
  let received: NodeJS.Signals | null = null;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`engineconn: second ${signal}, exiting without waiting\n`);
      process.exit(policy.exitCode(signal));
    }
    received = signal;
    policy.announce(signal);
    controller.abort(new Error(`signal ${signal} received`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get received() {
      return received;
    },
    signal: controller.signal,
    attach(stop) {
      if (controller.signal.aborted) stop();
      else controller.signal.addEventListener('abort', stop, { once: true });
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
