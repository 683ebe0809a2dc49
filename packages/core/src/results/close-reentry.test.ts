import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ResultMemory } from './result-memory.js';
import { ResultSetFileWriter } from './result-set-file-writer.js';
import { ResultStore } from './result-store.js';

const root = mkdtempSync(join(tmpdir(), 'close-reentry-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a close or closeTruncated made while the set completes finds it closed, and it stays whole', async () => {
  const file = join(root, 'set.jsonl');
  const calls: Array<Promise<void>> = [];
  let completions = 0;
  const writer = new ResultSetFileWriter({
    index: 0,
    spec: { type: 'TABLE', columns: [{ name: 'n', type: 'INTEGER' }] },
    store: new ResultStore(file, () => open(file, 'w'), new ResultMemory(1024, 1024)),
    onClosed: (closed) => {
      completions++;
      calls.push(closed.closeTruncated(), closed.close());
    },
  });
  await writer.writeRows([[1]]);
  await writer.close();
  await Promise.all(calls);
  assert.equal(completions, 1);
  assert.equal(writer.meta().complete, true);
  assert.equal(writer.meta().truncated, undefined);
  assert.equal(writer.meta().rowCount, 1);
});
