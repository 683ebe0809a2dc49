import { type LongTimer, setLongTimeout } from '@engineconn/core';
import { EngineStartError } from '../manager-errors.js';
import { type EngineRecord, SERVING_STATUSES } from '../registry/engine-record.js';
import type { EngineRegistry } from '../registry/engine-registry.js';
import { readLogTail, startFailureOf } from './log-file-tail.js';
import type { PendingLaunch } from './pending-launches.js';

type Outcome = { kind: 'ready'; record: EngineRecord } | { kind: 'exited' } | { kind: 'timeout' };

/**
 * Waits until the launched engine has registered and reports a serving status. A process that
 * exits first is a failed start, answered with its own error (`engineconn start` prints it with its
 * code, e.g. EC_CONFIG_INVALID) and its last log lines; one still starting at the deadline is a
 * timeout (Kyuubi #4203). Either way the caller removes what is left.
 */
export async function awaitReady(
  pending: PendingLaunch,
  registry: EngineRegistry,
  timeoutMs: number,
): Promise<EngineRecord> {
  const { launched, spec } = pending;
  let unsubscribe: () => void = () => {};
  let timer: LongTimer | undefined;
  const ready = new Promise<Outcome>((resolve) => {
    const check = (record: EngineRecord) => {
      if (record.secret === launched.secret && SERVING_STATUSES.has(record.status)) resolve({ kind: 'ready', record });
    };
    unsubscribe = registry.onChange(check);
    for (const record of registry.all()) check(record);
  });
  const timedOut = new Promise<Outcome>((resolve) => {
    timer = setLongTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  const outcome = await Promise.race([ready, launched.exited.then((): Outcome => ({ kind: 'exited' })), timedOut]);
  unsubscribe();
  timer?.clear();
  if (outcome.kind === 'ready') return outcome.record;

  const what = `The ${spec.engineType} engine for '${spec.user}'`;
  if (outcome.kind === 'timeout') {
    throw new EngineStartError(
      'EC_ENGINE_START_TIMEOUT',
      `${what} was not ready within ${timeoutMs} ms (--engine-start-timeout) and was killed.`,
      await readLogTail(launched.logFile),
    );
  }
  const exit = await launched.exited;
  const tail = await readLogTail(launched.logFile);
  const failure = startFailureOf(tail);
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  throw new EngineStartError(
    'EC_ENGINE_START_FAILED',
    failure ? `${what} failed to start: ${failure.message} [${failure.code}]` : `${what} ${how} before it was ready.`,
    tail,
  );
}
