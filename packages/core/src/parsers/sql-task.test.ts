import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskContext } from '../plugin/task-context.js';
import { prepareStatements, previewSql } from './sql-task.js';

function fakeTask(code: string) {
  const seen = { total: -1, logs: [] as string[] };
  const task = {
    code,
    statements: (n: number) => {
      seen.total = n;
    },
    log: (line: string) => seen.logs.push(line),
  } as unknown as TaskContext;
  return { task, seen };
}

test('prepareStatements declares the statement count and logs an empty script instead of failing', () => {
  const two = fakeTask('select 1; -- note\nselect 2;');
  assert.deepEqual(
    prepareStatements(two.task).map((s) => s.text),
    ['select 1', '-- note\nselect 2'],
  );
  assert.equal(two.seen.total, 2);
  const empty = fakeTask('  -- only a comment\n');
  assert.deepEqual(prepareStatements(empty.task), []);
  assert.equal(empty.seen.total, 0);
  assert.deepEqual(empty.seen.logs, ['No SQL statements to run.']);
});

test('previewSql flattens whitespace and keeps the first max characters', () => {
  assert.equal(previewSql('select\n  1,\t2'), 'select 1, 2');
  assert.equal(previewSql('x'.repeat(10), 4), 'xxxx…');
});
