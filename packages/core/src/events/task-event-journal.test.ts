import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TaskEvent } from './engine-conn-events.js';
import { TaskEventJournal } from './task-event-journal.js';

/** A log of `line N` strings that counts the reads it serves. */
function fakeLog() {
  const lines: string[] = [];
  const reads: [number, number][] = [];
  return {
    lines,
    reads,
    push(n: number): { from: number; lines: string[] } {
      const from = lines.length;
      for (let i = 0; i < n; i++) lines.push(`line ${from + i}`);
      return { from, lines: lines.slice(from) };
    },
    readLog: async (from: number, limit: number) => {
      reads.push([from, limit]);
      return { lines: lines.slice(from, from + limit) };
    },
  };
}

const at = '2024-01-01T00:00:00.000Z';

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function collect(iterator: AsyncIterable<TaskEvent>): Promise<TaskEvent[]> {
  const out: TaskEvent[] = [];
  for await (const event of iterator) out.push(event);
  return out;
}

describe('TaskEventJournal', () => {
  test('numbers events from 1 and resolves log lines on read', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog } });
    assert.equal(journal.lastSeq, 0);
    assert.equal(journal.append('status', { status: 'Running', at }), 1);
    assert.equal(journal.append('log', log.push(2)), 2);
    assert.equal(journal.append('progress', { progress: 0.5, progressInfo: [] }), 3);
    assert.equal(journal.lastSeq, 3);
    assert.deepEqual(await journal.read(0), [
      { seq: 1, event: 'status', data: { status: 'Running', at } },
      { seq: 2, event: 'log', data: { from: 0, lines: ['line 0', 'line 1'] } },
      { seq: 3, event: 'progress', data: { progress: 0.5, progressInfo: [] } },
    ]);
  });

  test('log events keep no lines of their own', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog } });
    const batch = log.push(3);
    journal.append('log', batch);
    log.lines[1] = 'rewritten in the log';
    const [event] = await journal.read(0);
    assert.deepEqual(event?.data, { from: 0, lines: ['line 0', 'rewritten in the log', 'line 2'] });
  });

  test('reads replay from any point, bounded by max', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog } });
    for (let i = 0; i < 10; i++) journal.append('progress', { progress: i / 10, progressInfo: [] });
    assert.deepEqual(
      (await journal.read(4, 3)).map((e) => e.seq),
      [5, 6, 7],
    );
    assert.deepEqual(
      (await journal.read(8)).map((e) => e.seq),
      [9, 10],
    );
    assert.deepEqual(await journal.read(10), []);
    assert.deepEqual(await journal.read(50), []);
    assert.deepEqual(
      (await journal.read(-5, 1)).map((e) => e.seq),
      [1],
    );
    await assert.rejects(journal.read(1.5), { code: 'EC_BAD_REQUEST' });
  });

  test('consecutive log events are read back with one log read', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog } });
    journal.append('log', log.push(2));
    journal.append('log', log.push(3));
    journal.append('status', { status: 'Running', at });
    journal.append('log', log.push(1));
    const events = await journal.read(0);
    assert.deepEqual(log.reads, [
      [0, 5],
      [5, 1],
    ]);
    assert.deepEqual(
      events.map((e) => (e.event === 'log' ? (e.data as { lines: string[] }).lines : e.event)),
      [['line 0', 'line 1'], ['line 2', 'line 3', 'line 4'], 'status', ['line 5']],
    );
  });

  test('a long log batch becomes several events; an empty one adds none', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog }, maxLogLinesPerEvent: 4 });
    assert.equal(journal.append('log', log.push(10)), 3);
    assert.equal(journal.append('log', { from: 10, lines: [] }), 3);
    const events = await journal.read(0);
    assert.deepEqual(
      events.map((e) => [
        e.seq,
        (e.data as { from: number; lines: string[] }).from,
        (e.data as { lines: string[] }).lines.length,
      ]),
      [
        [1, 0, 4],
        [2, 4, 4],
        [3, 8, 2],
      ],
    );
  });

  test('done ends the journal: later appends throw EC_INTERNAL', () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    journal.append('done', { status: 'Succeed', finishedAt: at });
    assert.equal(journal.done, true);
    assert.throws(() => journal.append('progress', { progress: 1, progressInfo: [] }), { code: 'EC_INTERNAL' });
    assert.equal(journal.lastSeq, 1);
  });

  test('follow replays, then yields live appends, and ends after done', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog } });
    journal.append('status', { status: 'Running', at });
    journal.append('log', log.push(1));
    const following = collect(journal.follow(0));
    // Each append waits for the follower to have caught up, so it is a live event, not a replay.
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      journal.append('log', log.push(1));
    }
    journal.append('done', { status: 'Succeed', finishedAt: at });
    const events = await withDeadline(following, 5000, 'the follower to end');
    assert.deepEqual(
      events.map((e) => e.seq),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(events.at(-1)?.event, 'done');
    assert.deepEqual(
      events.filter((e) => e.event === 'log').map((e) => (e.data as { lines: string[] }).lines[0]),
      ['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5'],
    );
  });

  test('follow from the middle resumes after the given seq, without repeats', async () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    for (let i = 0; i < 250; i++) journal.append('progress', { progress: i / 250, progressInfo: [] });
    journal.append('done', { status: 'Succeed', finishedAt: at });
    const events = await collect(journal.follow(120));
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: 131 }, (_, i) => 121 + i),
    );
  });

  test('following a finished journal from its end yields nothing and ends', async () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    journal.append('done', { status: 'Failed', finishedAt: at });
    assert.deepEqual(await withDeadline(collect(journal.follow(1)), 5000, 'follow to end'), []);
    assert.deepEqual(await withDeadline(collect(journal.follow(99)), 5000, 'follow to end'), []);
  });

  test('an event appended while the replay read is in flight is not missed', async () => {
    const log = fakeLog();
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reading: (() => void) | undefined;
    const readStarted = new Promise<void>((resolve) => {
      reading = resolve;
    });
    const journal = new TaskEventJournal({
      log: {
        read: async (from, limit) => {
          reading?.();
          await gate;
          return log.readLog(from, limit);
        },
      },
    });
    journal.append('log', log.push(1));
    const iterator = journal.follow(0);
    const first = iterator.next();
    await readStarted;
    // The follower's read has taken its slice (seq 1 only); seq 2 arrives before the read returns.
    journal.append('status', { status: 'Running', at });
    release?.();
    assert.equal((await first).value?.seq, 1);
    const second = await withDeadline(iterator.next(), 5000, 'the event appended during the read');
    assert.equal(second.value?.seq, 2);
    await iterator.return?.();
  });

  test('follow with after beyond lastSeq waits for events past it', async () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    journal.append('progress', { progress: 0.1, progressInfo: [] });
    const following = collect(journal.follow(3));
    journal.append('progress', { progress: 0.2, progressInfo: [] });
    journal.append('progress', { progress: 0.3, progressInfo: [] });
    journal.append('progress', { progress: 0.4, progressInfo: [] });
    journal.append('done', { status: 'Succeed', finishedAt: at });
    const events = await withDeadline(following, 5000, 'the follower');
    assert.deepEqual(
      events.map((e) => e.seq),
      [4, 5],
    );
  });

  test('an abort ends a waiting follower', async () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    journal.append('status', { status: 'Running', at });
    const controller = new AbortController();
    const iterator = journal.follow(0, controller.signal);
    assert.equal((await iterator.next()).value?.seq, 1);
    const pending = iterator.next();
    controller.abort();
    assert.deepEqual(await withDeadline(pending, 5000, 'the abort'), { done: true, value: undefined });
    journal.append('status', { status: 'Succeed', at });
    assert.equal((await iterator.next()).done, true);
  });

  test('an already aborted signal yields nothing', async () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    journal.append('status', { status: 'Running', at });
    assert.deepEqual(await collect(journal.follow(0, AbortSignal.abort())), []);
  });

  test('many followers and a concurrent producer each see every event once, in order', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog } });
    const followers = Array.from({ length: 5 }, (_, i) => collect(journal.follow(i * 10)));
    for (let i = 0; i < 300; i++) {
      if (i % 3 === 0) journal.append('log', log.push(2));
      else journal.append('progress', { progress: i / 300, progressInfo: [] });
      if (i % 17 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    journal.append('done', { status: 'Succeed', finishedAt: at });
    const results = await withDeadline(Promise.all(followers), 5000, 'all followers');
    results.forEach((events, i) => {
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: 301 - i * 10 }, (_, k) => i * 10 + k + 1),
        `follower ${i}`,
      );
    });
  });

  test('a slow follower does not hold back a fast one', async () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    const slow = journal.follow(0);
    journal.append('progress', { progress: 0, progressInfo: [] });
    assert.equal((await slow.next()).value?.seq, 1);
    for (let i = 0; i < 1000; i++) journal.append('progress', { progress: i / 1000, progressInfo: [] });
    journal.append('done', { status: 'Succeed', finishedAt: at });
    const fast = await withDeadline(collect(journal.follow(0)), 5000, 'the fast follower');
    assert.equal(fast.length, 1002);
    assert.equal((await slow.next()).value?.seq, 2);
    await slow.return?.();
  });

  test('a hold counts as a follower until released, once', () => {
    const journal = new TaskEventJournal({ log: { read: fakeLog().readLog } });
    const release = journal.hold();
    assert.equal(journal.followers, 1);
    release();
    release();
    assert.equal(journal.followers, 0);
  });

  test('status and done kept as their parts read back as the events append would have stored', async () => {
    const log = fakeLog();
    const journal = new TaskEventJournal({ log: { read: log.readLog } });
    const ms = Date.parse('2024-01-01T00:00:01.007Z');
    const error = { code: 'EC_ENGINE_ERROR', message: 'boom' } as const;
    journal.appendStatus('status', 'Running', ms, undefined);
    journal.appendStatus('status', 'Failed', ms + 5, error);
    assert.equal(journal.appendStatus('done', 'Failed', ms + 5, error), 3);
    assert.equal(journal.done, true);
    assert.deepEqual(await journal.read(0), [
      { seq: 1, event: 'status', data: { status: 'Running', at: '2024-01-01T00:00:01.007Z' } },
      { seq: 2, event: 'status', data: { status: 'Failed', at: '2024-01-01T00:00:01.012Z', error } },
      { seq: 3, event: 'done', data: { status: 'Failed', finishedAt: '2024-01-01T00:00:01.012Z', error } },
    ]);
    assert.throws(() => journal.appendStatus('status', 'Running', ms, undefined), /after 'done'/);
  });

  test('events kept as numbers read back whole: times before, at and long after the start, a fractional time, log ranges', async () => {
    const log = fakeLog();
    const since = Date.parse('2026-12-01T22:00:00.000Z');
    const journal = new TaskEventJournal({ log: { read: log.readLog }, since, maxLogLinesPerEvent: 2 });
    journal.appendStatus('status', 'Scheduled', since - 3_000, undefined);
    journal.appendStatus('status', 'Running', since, undefined);
    journal.append('log', log.push(3));
    journal.appendStatus('status', 'Running', since + 0.5, undefined);
    journal.appendStatus('status', 'Succeed', since + 40 * 86_400_000, undefined);
    journal.appendStatus('done', 'Succeed', since + 40 * 86_400_000, undefined);
    const later = '2027-01-10T22:00:00.000Z';
    const expected = [
      { seq: 1, event: 'status', data: { status: 'Scheduled', at: '2026-12-01T21:59:57.000Z' } },
      { seq: 2, event: 'status', data: { status: 'Running', at: '2026-12-01T22:00:00.000Z' } },
      { seq: 3, event: 'log', data: { from: 0, lines: ['line 0', 'line 1'] } },
      { seq: 4, event: 'log', data: { from: 2, lines: ['line 2'] } },
      { seq: 5, event: 'status', data: { status: 'Running', at: new Date(since + 0.5).toISOString() } },
      { seq: 6, event: 'status', data: { status: 'Succeed', at: later } },
      { seq: 7, event: 'done', data: { status: 'Succeed', finishedAt: later } },
    ];
    assert.deepEqual(await journal.read(0), expected);
    assert.deepEqual(await collect(journal.follow(2)), expected.slice(2));
  });
});
