import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDescriptors } from '../testing/open-descriptors.js';
import { waitFor } from '../testing/wait-for.js';
import { NO_RESULT_MEMORY } from './result-memory.js';
import { TaskResults } from './task-results.js';

const root = mkdtempSync(join(tmpdir(), 'task-results-abandoned-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

const columns = [{ name: 'n', type: 'INTEGER' }];

/** A set in its file, written in part and still open: a reader at its end waits for more. */
async function openSets() {
  const results = new TaskResults({ dir: join(root, `task-${dirNo++}`), memory: NO_RESULT_MEMORY });
  const table = await results.create({ type: 'TABLE', columns });
  await table.writeRows([[1], [2]]);
  const text = await results.create({ type: 'TEXT' });
  await text.write('some text');
  return { results, files: [join(results.dir, 'result-0.jsonl'), join(results.dir, 'result-1.bin')] };
}

const streams = {
  csv: (results: TaskResults, signal: AbortSignal) => results.streamTableBytes(0, 'csv', signal),
  ndjson: (results: TaskResults, signal: AbortSignal) => results.streamTableBytes(0, 'ndjson', signal),
  'csv text': (results: TaskResults, signal: AbortSignal) => results.stream(0, 'csv', signal),
  bytes: (results: TaskResults, signal: AbortSignal) => results.streamBytes(1, signal),
  'TEXT content': (results: TaskResults, signal: AbortSignal) => results.stream(1, 'csv', signal),
} as const;

describe('a stream of a set still being written, abandoned while it waits for more', () => {
  for (const [name, open] of Object.entries(streams)) {
    test(`${name}: its file handle closes when its signal aborts, not when the set next changes`, async () => {
      const { results, files } = await openSets();
      const file = files[name === 'bytes' || name === 'TEXT content' ? 1 : 0] as string;
      const writerOnly = openDescriptors(file);
      const stop = new AbortController();
      const iterator = open(results, stop.signal)[Symbol.asyncIterator]();
      // Everything written so far (the header first), until a read waits for more.
      let pending = iterator.next();
      for (;;) {
        const chunk = pending.then((read) => {
          assert.equal(read.done, false, 'the set is still open: the stream cannot have ended');
          return 'chunk' as const;
        });
        const waiting = waitFor(() => results.waiting > 0).then(() => 'waiting' as const);
        if ((await Promise.race([chunk, waiting])) === 'waiting') break;
        pending = iterator.next();
      }
      assert.equal(openDescriptors(file), writerOnly + 1, "the stream's own handle, open while it waits");
      stop.abort();
      await assert.rejects(pending, { name: 'AbortError' });
      await waitFor(() => openDescriptors(file), {
        until: (n) => n === writerOnly,
        what: "the stream's handle closed",
      });
      assert.equal(results.waiting, 0, 'no waiter left on the set');
      await results.closeAll();
      results.release();
    });
  }
});
