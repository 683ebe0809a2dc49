import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RegisterReport } from '@engineconn/protocol';
import { ManagerReporter, type ManagerReporterOptions } from './manager-reporter.js';
import { ReportReceiver } from './report-receiver.test-support.js';

const ID = 'ec-test';
/**
 * The deadline of a close() that must deliver everything: it returns as soon as the queue is empty,
 * so a long one costs nothing, and a loaded machine cannot cut the flush short.
 */
const FLUSH_MS = 30_000;
const now = () => new Date().toISOString();
const registration = (): RegisterReport => ({
  id: ID,
  url: 'http://127.0.0.1:7070',
  pid: process.pid,
  engineType: 'duckdb',
  engineVersion: '1.5',
  executor: 'concurrent',
  labels: { engineType: 'duckdb-1.5' },
  user: 'alice',
  startedAt: now(),
});
const status = (s: 'Unlock' | 'Busy' | 'Idle', previous: 'Starting' | 'Unlock' | 'Busy' = 'Unlock') => ({
  id: ID,
  status: s,
  previous,
  at: now(),
});
const release = () => ({ id: ID, status: 'Success' as const, reason: 'shutdown requested', at: now() });

describe('ManagerReporter', () => {
  let receiver: ReportReceiver;
  const reporters: ManagerReporter[] = [];
  const make = (opts: Partial<ManagerReporterOptions> = {}) => {
    const reporter = new ManagerReporter({
      url: receiver.url,
      id: ID,
      register: registration,
      backoffInitialMs: 20,
      backoffMaxMs: 200,
      requestTimeoutMs: 3000,
      ...opts,
    });
    reporters.push(reporter);
    return reporter;
  };

  before(async () => {
    receiver = await new ReportReceiver().start();
  });
  after(async () => {
    await Promise.all(reporters.map((r) => r.close(200)));
    await receiver.close();
  });
  const reset = () => {
    receiver.reports.length = 0;
    receiver.attempts.length = 0;
    receiver.script = [];
    receiver.fallback = 200;
  };

  test('registers before anything else and delivers reports in order, valid against the schemas', async () => {
    reset();
    const reporter = make();
    reporter.status(status('Unlock', 'Starting'));
    reporter.release(release());
    await reporter.close(FLUSH_MS);
    assert.deepEqual(receiver.events(), ['register', 'status:Unlock', 'release']);
    assert.equal(receiver.reports[0]?.id, ID);
    assert.deepEqual(receiver.invalid, []);
    assert.equal(reporter.stats.sent, 3);
    assert.equal(reporter.stats.failures, 0);
  });

  test('debounces status: undelivered ones are replaced and only the newest is sent', async () => {
    reset();
    receiver.script = ['hold'];
    const reporter = make();
    reporter.register();
    await receiver.waitFor(() => receiver.attempts.length === 1);
    for (const s of ['Busy', 'Unlock', 'Busy', 'Unlock', 'Idle'] as const) reporter.status(status(s));
    assert.equal(reporter.pending, 2, 'the registration in flight and one status entry');
    receiver.releaseHeld();
    await receiver.waitFor(() => receiver.reports.length === 2);
    await reporter.close(FLUSH_MS);
    assert.deepEqual(receiver.events(), ['register', 'status:Idle']);
    assert.equal(reporter.stats.superseded, 4);
  });

  test('through an outage, load statuses collapse to the newest but lifecycle statuses all arrive in order', async () => {
    reset();
    receiver.fallback = 503;
    const reporter = make();
    reporter.status(status('Busy'));
    reporter.status(status('Unlock', 'Busy'));
    reporter.status({ id: ID, status: 'ShuttingDown', previous: 'Unlock', at: now(), reason: 'idle release' });
    reporter.status({ id: ID, status: 'Success', previous: 'ShuttingDown', at: now(), reason: 'idle release' });
    reporter.release(release());
    await receiver.waitFor(() => reporter.stats.failures >= 2);
    receiver.fallback = 200;
    await reporter.close(FLUSH_MS);
    assert.deepEqual(receiver.events(), [
      'register',
      'status:Unlock',
      'status:ShuttingDown',
      'status:Success',
      'release',
    ]);
  });

  test('a status arriving while another is in flight is sent after it', async () => {
    reset();
    const reporter = make();
    reporter.register();
    await receiver.waitFor(() => receiver.reports.length === 1);
    receiver.script = ['hold'];
    reporter.status(status('Busy'));
    await receiver.waitFor(() => receiver.attempts.length === 2);
    receiver.script = [];
    reporter.status(status('Unlock', 'Busy'));
    receiver.releaseHeld();
    await receiver.waitFor(() => receiver.events().includes('status:Unlock'));
    assert.deepEqual(receiver.events(), ['register', 'status:Busy', 'status:Unlock']);
    await reporter.close(FLUSH_MS);
  });

  test('retries with jittered delays, then re-registers before the pending reports', async () => {
    reset();
    receiver.script = [503, 503, 503, 503];
    // One draw of jitter per wait (the delays themselves: backoff-delay.test.ts).
    let draws = 0;
    const reporter = make({
      random: () => {
        draws++;
        return 0.5;
      },
    });
    reporter.status(status('Unlock', 'Starting'));
    await receiver.waitFor(() => receiver.reports.length === 2);
    assert.equal(reporter.stats.failures, 4);
    assert.equal(draws, 4);
    assert.deepEqual(receiver.events(), ['register', 'status:Unlock']);

    // A failure after a good stretch: the manager may have restarted, so it is told again who we are.
    receiver.script = [503];
    reporter.status(status('Busy'));
    await receiver.waitFor(() => receiver.reports.length === 4);
    assert.deepEqual(receiver.events(), ['register', 'status:Unlock', 'register', 'status:Busy']);
    assert.equal(reporter.stats.registrations, 2);
    await reporter.close(FLUSH_MS);
  });

  test('caps the backoff', async () => {
    reset();
    receiver.fallback = 503;
    const reporter = make({ backoffInitialMs: 10, backoffMaxMs: 40, random: () => 0.999 });
    reporter.register();
    // Uncapped, the 30th wait alone would be 10 * 2^28 ms (a month), far past the wait's deadline;
    // capped, all 30 take at most 30 x 40 ms plus what a busy machine adds.
    await receiver.waitFor(() => receiver.attempts.length >= 30);
    receiver.fallback = 200;
    await reporter.close(FLUSH_MS);
  });

  test('a hanging manager never blocks the caller; requests time out and count as failures', async () => {
    reset();
    receiver.fallback = 'hang';
    const reporter = make({ requestTimeoutMs: 100 });
    // Synchronous: all 1000 are enqueued while the manager hangs, and they coalesce.
    for (let i = 0; i < 1000; i++) reporter.status(status(i % 2 ? 'Busy' : 'Unlock'));
    assert.ok(reporter.pending <= 2, 'bounded: one registration owed and one status');
    await receiver.waitFor(() => reporter.stats.failures >= 2);
    receiver.fallback = 200;
    await receiver.waitFor(() => receiver.events().includes('status:Busy'));
    // An answer a loaded machine delays past the 100 ms timeout is retried, so the manager may hear a
    // report twice in a row; what it hears, in order, is the registration and the newest status.
    const heard = receiver.events().filter((event, i, all) => event !== all[i - 1]);
    assert.deepEqual(heard, ['register', 'status:Busy']);
    await reporter.close(FLUSH_MS);
  });

  test('close() flushes within its deadline, abandons what it cannot deliver, and is idempotent', {
    timeout: 30_000,
  }, async (t) => {
    // A manager of its own: a request the deadline cut may still arrive after the test.
    const manager = await new ReportReceiver().start();
    t.after(() => manager.close());
    manager.fallback = 503;
    // Neither the backoff nor the request timeout ends anything here: only the flush deadline can.
    const long = 2 * FLUSH_MS;
    const reporter = make({ url: manager.url, backoffInitialMs: long, backoffMaxMs: long, requestTimeoutMs: long });
    reporter.release(release());
    await manager.waitFor(() => manager.attempts.length >= 1);
    // While closing, a manager that never answers: close() can only end by its deadline.
    manager.fallback = 'hang';
    const closing = reporter.close(300);
    assert.equal(reporter.close(10), closing);
    await closing;
    assert.equal(reporter.stats.abandoned, 1);
    reporter.status(status('Busy'));
    assert.equal(reporter.pending, 1, 'a closed reporter takes no reports (only the owed registration remains)');
  });

  test('close() retries at once instead of waiting out a long backoff, and keeps retrying', async (t) => {
    // A manager of its own: it counts every attempt, which a request left over from another test
    // would spoil.
    const manager = await new ReportReceiver().start();
    t.after(() => manager.close());
    manager.script = [503];
    // A backoff past the flush deadline: waiting it out would abandon the release.
    const long = 2 * FLUSH_MS;
    const reporter = make({ url: manager.url, backoffInitialMs: long, backoffMaxMs: long });
    reporter.release(release());
    await manager.waitFor(() => manager.attempts.length === 1);
    manager.script = [503, 503];
    await reporter.close(FLUSH_MS);
    assert.deepEqual(
      manager.attempts.map((a) => a.answer),
      [503, 503, 503, 200, 200],
    );
    assert.deepEqual(manager.events(), ['register', 'release']);
    assert.equal(reporter.stats.abandoned, 0);
  });

  test('drops a report the manager refuses with a 4xx, and one that fails its schema', async () => {
    reset();
    const reporter = make();
    reporter.register();
    await receiver.waitFor(() => receiver.reports.length === 1);
    receiver.script = [422];
    reporter.status(status('Busy'));
    await receiver.waitFor(() => reporter.stats.rejected === 1);
    reporter.status({ ...status('Busy'), status: 'Sleeping' as 'Busy' });
    assert.equal(reporter.stats.invalid, 1);
    reporter.release(release());
    await reporter.close(FLUSH_MS);
    assert.deepEqual(receiver.events(), ['register', 'release']);
    assert.equal(reporter.stats.failures, 0);
  });

  test('a manager that forgot the EngineConn (404) gets a registration, then the report again', async () => {
    reset();
    const reporter = make();
    reporter.register();
    await receiver.waitFor(() => receiver.reports.length === 1);
    receiver.script = [404];
    reporter.status(status('Busy'));
    await receiver.waitFor(() => receiver.reports.length === 3);
    assert.deepEqual(receiver.events(), ['register', 'register', 'status:Busy']);
    await reporter.close(FLUSH_MS);
  });
});
