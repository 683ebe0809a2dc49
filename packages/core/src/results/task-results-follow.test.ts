import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ResultMemory } from './result-memory.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-follow-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

const newResults = () =>
  new TaskResults({ dir: join(root, `task-${dirNo++}`), memory: new ResultMemory(1 << 20, 1 << 20) });
const columns = [{ name: 'n', type: 'INTEGER' }];
const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => [from + i]);
/** Lets every callback already queued run: what was woken has run its continuation after this. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A promise and whether it has resolved yet. */
function tracked(promise: Promise<void>) {
  const state = { done: false, promise };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

describe('TaskResults.awaitRows: a reader following a set as it is written', () => {
  test('waits for the set to be opened and to hold the rows asked for', async () => {
    const results = newResults();
    const waiting = tracked(results.awaitRows(0, 1500, new AbortController().signal));
    await settle();
    assert.equal(waiting.done, false, 'no set yet');
    const writer = await results.create({ type: 'TABLE', columns });
    await writer.writeRows(rows(0, 1000));
    await settle();
    assert.equal(waiting.done, false, '1000 of the 1500 rows');
    await writer.writeRows(rows(1000, 600));
    await waiting.promise;
    assert.equal(results.get(0)?.rowCount, 1600);
    await results.closeAll();
  });

  test('ends when the set closes short of the rows, or the task ends without the set', async () => {
    const results = newResults();
    const writer = await results.create({ type: 'TABLE', columns });
    await writer.writeRows(rows(0, 10));
    const short = tracked(results.awaitRows(0, 1000, new AbortController().signal));
    const missing = tracked(results.awaitRows(1, 1, new AbortController().signal));
    await settle();
    assert.deepEqual([short.done, missing.done], [false, false]);
    await results.closeAll();
    await Promise.all([short.promise, missing.promise]);
    assert.equal(results.get(0)?.complete, true);
    assert.equal(results.get(1), undefined);
  });

  test('ends when its signal aborts, and at once for a set that is not a TABLE', async () => {
    const results = newResults();
    const stop = new AbortController();
    const waiting = tracked(results.awaitRows(0, 1, stop.signal));
    await settle();
    assert.equal(waiting.done, false);
    stop.abort();
    await waiting.promise;
    await results.create({ type: 'TEXT' });
    await results.awaitRows(0, 1, new AbortController().signal);
    await results.closeAll();
  });

  test('a wait cut short leaves no waiter behind, on a set not opened yet or one still open', async () => {
    const results = newResults();
    const waits = (n: number) =>
      Array.from({ length: n }, () => {
        const stop = new AbortController();
        return { stop, done: results.awaitRows(0, 1_000_000, stop.signal) };
      });
    const early = waits(50);
    assert.equal(results.waiting, 50, 'each wait for the set is counted while it waits');
    for (const wait of early) wait.stop.abort();
    await Promise.all(early.map((wait) => wait.done));
    assert.equal(results.waiting, 0, 'no set yet: the aborted waits are gone before the set is opened');
    const writer = await results.create({ type: 'TABLE', columns });
    await writer.writeRows(rows(0, 10));
    const late = waits(50);
    await settle();
    assert.equal(results.waiting, 50);
    for (const wait of late) wait.stop.abort();
    await Promise.all(late.map((wait) => wait.done));
    assert.equal(results.waiting, 0, 'the aborted waits are gone before the set next changes');
    await writer.writeRows(rows(10, 1));
    await results.closeAll();
  });
});
