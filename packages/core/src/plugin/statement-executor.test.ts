import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequestError } from '../errors/errors.js';
import type { SqlStatement } from '../parsers/sql-parser.js';
import { StatementExecutor } from './statement-executor.js';
import type { TaskContext } from './task-context.js';

function fakeTask(code: string, properties: Record<string, unknown> = {}, signal = new AbortController().signal) {
  const seen = { started: [] as number[], logs: [] as string[] };
  const task = {
    code,
    properties,
    signal,
    get aborted() {
      return signal.aborted;
    },
    statements: () => {},
    statementStarted: (index: number) => seen.started.push(index),
    log: (line: string) => seen.logs.push(line),
  } as unknown as TaskContext;
  return { task, seen };
}

/** Records what the frame hands it; `limit` must be a number. */
class Recorder extends StatementExecutor<string[], number> {
  protected override readProperties(task: TaskContext): number {
    const limit = task.properties.limit ?? 0;
    if (typeof limit !== 'number') throw new BadRequestError("Task property 'limit' must be a number.");
    return limit;
  }

  protected override async runStatements(task: TaskContext, statements: SqlStatement[], limit: number) {
    for (const [index, statement] of statements.entries()) {
      this.startStatement(task, statement, index, statements.length);
      this.session.push(`${limit}:${statement.text}`);
    }
  }
}

test('StatementExecutor runs the statements on its session with the properties it read', async () => {
  const ran: string[] = [];
  const { task, seen } = fakeTask('select 1; select 2', { limit: 5 });
  await new Recorder(ran).execute(task);
  assert.deepEqual(ran, ['5:select 1', '5:select 2']);
  assert.deepEqual(seen.started, [0, 1]);
  assert.deepEqual(seen.logs, ['[1/2] select 1', '[2/2] select 2']);
});

test('StatementExecutor checks the properties of an empty script too, and runs nothing for it', async () => {
  const ran: string[] = [];
  await new Recorder(ran).execute(fakeTask('-- nothing').task);
  assert.deepEqual(ran, []);
  await assert.rejects(new Recorder(ran).execute(fakeTask('', { limit: 'x' }).task), { code: 'EC_BAD_REQUEST' });
});

test('a task killed between statements stops before the next one starts', async () => {
  const ran: string[] = [];
  const controller = new AbortController();
  const { task, seen } = fakeTask('select 1; select 2; select 3', {}, controller.signal);
  const log = task.log;
  task.log = (line) => {
    log(line);
    if (line.startsWith('[1/3]')) controller.abort();
  };
  await assert.rejects(new Recorder(ran).execute(task), {
    code: 'EC_TASK_CANCELLED',
    message: /before statement 2 of 3/,
  });
  assert.deepEqual(seen.started, [0]);
  assert.deepEqual(ran, ['0:select 1']);
});
