import { TaskCancelledError } from '../errors/errors.js';
import type { SqlStatement } from '../parsers/sql-parser.js';
import { prepareStatements, previewSql } from '../parsers/sql-task.js';
import type { CodeExecutor } from './engine-plugin.js';
import type { TaskContext } from './task-context.js';

/**
 * The frame every SQL engine's executor shares: the session it runs on, the script split into
 * statements (declared, so progress follows them), the task's properties read and checked before
 * anything runs — also for an empty script, so a bad property is the caller's error whatever the
 * code — and nothing run when there is no statement. An engine supplies only how its statements run.
 */
export abstract class StatementExecutor<S, P = void> implements CodeExecutor {
  protected readonly session: S;

  constructor(session: S) {
    this.session = session;
  }

  async execute(task: TaskContext): Promise<void> {
    const statements = prepareStatements(task);
    const properties = this.readProperties(task);
    if (statements.length === 0) return;
    await this.runStatements(task, statements, properties);
  }

  /** The task properties this engine takes, checked (BadRequestError) before any statement runs. */
  protected abstract readProperties(task: TaskContext): P;

  /** Runs the (non-empty) statements in order; the first failing one fails the task. */
  protected abstract runStatements(task: TaskContext, statements: SqlStatement[], properties: P): Promise<void>;

  /**
   * The start of statement `index` of `total`: stops with EC_TASK_CANCELLED when the task was killed
   * between statements, else marks the statement started and logs it as `[2/3] select …`.
   */
  protected startStatement(task: TaskContext, statement: SqlStatement, index: number, total: number): void {
    if (task.aborted) throw new TaskCancelledError(`stopped before statement ${index + 1} of ${total}.`);
    task.statementStarted(index);
    task.log(`[${index + 1}/${total}] ${previewSql(statement.text)}`);
  }
}
