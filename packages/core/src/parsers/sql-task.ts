import type { TaskContext } from '../plugin/task-context.js';
import { type SqlStatement, splitSql } from './sql-parser.js';

/**
 * The common start of a SQL engine's task: split the script, declare the statement count (progress
 * follows it), and say so in the log when there is nothing to run, which is not an error.
 */
export function prepareStatements(task: TaskContext): SqlStatement[] {
  const statements = splitSql(task.code);
  task.statements(statements.length);
  if (statements.length === 0) task.log('No SQL statements to run.');
  return statements;
}

/** A statement flattened to one line, its first `max` characters kept, for log lines like `[2/3] select …`. */
export function previewSql(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
