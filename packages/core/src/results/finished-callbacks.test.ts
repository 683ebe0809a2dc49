import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ResultSetMeta } from '../computation/task-types.js';
import { TaskLog } from '../logs/task-log.js';
import { waitFor } from '../testing/wait-for.js';
import { ResultMemory } from './result-memory.js';
import { ResultStore } from './result-store.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'finished-callbacks-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** V8's own collector, reachable without starting node with --expose-gc. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Resolves once `ref`'s target was collected while `holder` (what keeps it, if anything) lives on. */
async function collected(ref: WeakRef<object>, holder: object, what: string): Promise<void> {
  const gc = collectGarbage();
  await waitFor(
    () => {
      gc();
      return holder !== undefined && ref.deref() === undefined;
    },
    { what, timeoutMs: 5000 },
  );
}

/*
 * A finished task is kept, whole, for its retention (10,000 of them by default): a callback its
 * parts were given (a closure over the task) would be kept with each one, though none is called
 * once the task has ended.
 */
describe('the parts of a finished task keep no callback they will not call again', () => {
  test('a log that ended keeps neither its onBatch nor its lines batch; it still reads', async () => {
    const batches: string[][] = [];
    const { log, ref } = (() => {
      const onBatch = (_from: number, lines: string[]) => batches.push(lines);
      const made = new TaskLog({ file: join(root, 'a', 'log.txt'), onBatch });
      return { log: made, ref: new WeakRef(onBatch) };
    })();
    log.append('one\ntwo');
    log.end();
    assert.deepEqual(batches, [['one', 'two']]);
    await collected(ref, log, "the ended log's onBatch to be collected");
    assert.deepEqual((await log.read(0, 10)).lines, ['one', 'two']);
  });

  test('task results whose sets are all complete keep neither onCreated nor onUpdated; they still read', async () => {
    const updated: ResultSetMeta[] = [];
    const { results, refs } = await (async () => {
      const onCreated = () => {};
      const onUpdated = (meta: ResultSetMeta) => updated.push(meta);
      const made = new TaskResults({
        dir: join(root, 'b'),
        memory: new ResultMemory(1024, 1024),
        onCreated,
        onUpdated,
      });
      const set = await made.create({ type: 'TABLE', columns: [{ name: 'n', type: 'INTEGER' }] });
      await set.writeRows([[1], [2]]);
      await set.close();
      await made.closeAll();
      return { results: made, refs: [new WeakRef(onCreated), new WeakRef(onUpdated)] };
    })();
    assert.deepEqual(
      updated.map((meta) => meta.rowCount),
      [2],
    );
    for (const ref of refs) await collected(ref, results, "the finished results' callbacks to be collected");
    assert.deepEqual((await results.readRows(0, 0, 10)).rows, [[1], [2]]);
  });

  test('the same when closeAll() has to close a set the engine left open', async () => {
    const { results, ref } = await (async () => {
      const onUpdated = () => {};
      const made = new TaskResults({ dir: join(root, 'c'), memory: new ResultMemory(1024, 1024), onUpdated });
      const set = await made.create({ type: 'TEXT' });
      await set.write('left open');
      await made.closeAll({ truncated: true });
      return { results: made, ref: new WeakRef(onUpdated) };
    })();
    await collected(ref, results, "the results' onUpdated to be collected after closeAll closed the set");
    assert.equal(results.get(0)?.truncated, true);
  });

  test('a sealed store keeps no way to make its file, and refuses an append that would need one', async () => {
    const { store, ref } = (() => {
      const openFile = () => Promise.reject(new Error('not called'));
      const made = new ResultStore(join(root, 'd.bin'), openFile, new ResultMemory(16, 16));
      return { store: made, ref: new WeakRef(openFile) };
    })();
    assert.equal(store.appendInMemory(Buffer.from('small')), true);
    store.seal();
    await collected(ref, store, "the sealed store's openFile to be collected");
    await assert.rejects(store.append(Buffer.alloc(64)), { code: 'EC_INTERNAL' });
    assert.equal(store.memoryBytes()?.toString(), 'small');
  });
});
