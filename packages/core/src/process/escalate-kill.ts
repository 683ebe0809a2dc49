import { setTimeout as delay } from 'node:timers/promises';

/**
 * One way of asking work to stop. `run` may return false to say the target no longer exists (a
 * signal answered ESRCH). It may also return a promise (a cancel request in flight): the step's
 * grace starts when it is sent, not when it is answered, and its rejection goes to `onStepError`.
 * A step that throws is reported there too, and the escalation goes on to the next, firmer step.
 */
export interface KillStep<Name extends string> {
  readonly name: Name;
  run(): unknown;
}

export interface EscalateKillOptions<Name extends string> {
  /** Politest first (SIGINT, a cancel request), firmest last (SIGKILL, a terminate, a socket teardown). */
  readonly steps: readonly [KillStep<Name>, ...KillStep<Name>[]];
  /** How long each step but the last is given to stop the work before the next one is taken. */
  readonly graceMs: number;
  /**
   * Whether the work has stopped: a promise that settles once it has (its value and error are
   * ignored), or a check that is polled (finely at first, then every 50 ms).
   */
  readonly stopped: PromiseLike<unknown> | (() => boolean);
  /** How long the last step is waited for; default: until the work stops (a SIGKILL always works). */
  readonly lastStepWaitMs?: number;
  /** Ends the escalation early, e.g. when the caller has stopped caring (the session is closing). */
  readonly signal?: AbortSignal;
  readonly onStepError?: (step: Name, err: unknown) => void;
}

/** How an escalation ended, and which step (the last one taken) the work stopped after. */
export type KillOutcome<Name extends string> =
  | { readonly kind: 'stopped'; readonly step: Name; readonly elapsedMs: number }
  /** It had stopped before the first step, or the first step found nothing left to stop. */
  | { readonly kind: 'already-stopped'; readonly elapsedMs: number }
  /** Every step was taken and the work did not stop within `lastStepWaitMs`. */
  | { readonly kind: 'unconfirmed'; readonly step: Name; readonly elapsedMs: number }
  /** `signal` ended it; `step` is the last one taken, if any. */
  | { readonly kind: 'abandoned'; readonly step: Name | undefined; readonly elapsedMs: number };

const ABANDONED = Symbol('abandoned');

/**
 * Polite, grace, force: takes each step in turn until the work stops, waiting `graceMs` after every
 * step but the last. Resolves once the work has stopped (or the last wait ran out, or `signal` ended
 * it) with which step stopped it; it never rejects. The engines' kills and closes that have a
 * firmer step to fall back on (a signal, a backend terminate, a socket teardown) go through here, so
 * they escalate and report alike.
 */
export async function escalateKill<Name extends string>(
  options: EscalateKillOptions<Name>,
): Promise<KillOutcome<Name>> {
  const started = performance.now();
  const elapsedMs = () => performance.now() - started;
  const { steps, signal } = options;
  const isStopped = typeof options.stopped === 'function' ? options.stopped : undefined;
  let settled = false;
  if (!isStopped) {
    Promise.resolve(options.stopped).then(
      () => (settled = true),
      () => (settled = true),
    );
    // A promise that has already settled is seen only after its reactions run.
    await Promise.resolve();
  }
  const hasStopped = (): boolean => (isStopped ? isStopped() : settled);
  let taken: Name | undefined;
  for (const [index, step] of steps.entries()) {
    if (hasStopped()) return taken === undefined ? { kind: 'already-stopped', elapsedMs: elapsedMs() } : done(taken);
    if (signal?.aborted) return { kind: 'abandoned', step: taken, elapsedMs: elapsedMs() };
    let found: unknown = true;
    try {
      found = step.run();
    } catch (err) {
      options.onStepError?.(step.name, err);
    }
    if (isPromiseLike(found)) {
      found.then(undefined, (err: unknown) => options.onStepError?.(step.name, err));
    } else if (found === false) {
      // Nothing left to stop: it ended on its own, or after the step before this one.
      return taken === undefined ? { kind: 'already-stopped', elapsedMs: elapsedMs() } : done(taken);
    }
    taken = step.name;
    const last = index === steps.length - 1;
    const waitMs = last ? (options.lastStepWaitMs ?? Number.POSITIVE_INFINITY) : options.graceMs;
    const result = await waitStopped(options.stopped, isStopped, waitMs, signal);
    if (result === true) return done(step.name);
    if (result === ABANDONED) return { kind: 'abandoned', step: step.name, elapsedMs: elapsedMs() };
  }
  return { kind: 'unconfirmed', step: taken as Name, elapsedMs: elapsedMs() };

  function done(step: Name): KillOutcome<Name> {
    return { kind: 'stopped', step, elapsedMs: elapsedMs() };
  }
}

/** True once stopped, false when `waitMs` ran out first, ABANDONED when `signal` fired first. */
async function waitStopped(
  stopped: PromiseLike<unknown> | (() => boolean),
  isStopped: (() => boolean) | undefined,
  waitMs: number,
  signal: AbortSignal | undefined,
): Promise<boolean | typeof ABANDONED> {
  if (signal?.aborted) return ABANDONED;
  const local = new AbortController();
  const onAbort = () => local.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const racers: Promise<boolean | typeof ABANDONED>[] = [
      isStopped ? pollStopped(isStopped, local.signal) : Promise.resolve(stopped).then(yes, yes),
      // Not unref()ed: someone awaits this outcome, and a kill in progress is live work.
      new Promise((resolve) => local.signal.addEventListener('abort', () => resolve(ABANDONED), { once: true })),
    ];
    if (Number.isFinite(waitMs)) {
      racers.push(delay(Math.max(0, waitMs), false, { signal: local.signal }).catch(() => false as const));
    }
    return await Promise.race(racers);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    local.abort();
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function yes(): true {
  return true;
}

/** Polls `isStopped` until it holds or `signal` fires; fine-grained first (kills take ms), then 50 ms. */
async function pollStopped(isStopped: () => boolean, signal: AbortSignal): Promise<boolean> {
  const started = performance.now();
  let interval = 1;
  while (!isStopped()) {
    try {
      await delay(interval, undefined, { signal });
    } catch {
      return false;
    }
    interval = performance.now() - started < 250 ? Math.min(interval * 2, 8) : 50;
  }
  return true;
}
