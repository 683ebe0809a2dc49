import type { ProgressInfo } from '../computation/task-types.js';
import type { ResultSetSpec, ResultSetWriter, TaskContext } from '../plugin/task-context.js';
import type { AbortListener, EngineConnTask } from './engine-conn-task.js';

/**
 * One task's context. A class rather than an object literal: its getters live on the prototype
 * instead of being defined again on every task's object; `signal` is the task's, made when read. The callbacks stay own
 * properties, so an engine may pass them on as functions (`lines.forEach(task.log)`).
 */
class EngineTaskContext implements TaskContext {
  readonly id: string;
  readonly code: string;
  readonly runType: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly log: (text: string) => void;
  readonly progress: (value: number, info?: ProgressInfo[]) => void;
  readonly statements: (total: number) => void;
  readonly statementStarted: (index: number) => void;
  readonly createResultSet: (spec: ResultSetSpec) => Promise<ResultSetWriter>;
  readonly #task: EngineConnTask;

  constructor(
    task: EngineConnTask,
    readonly user: string,
    readonly killGraceMs: number,
  ) {
    this.#task = task;
    this.id = task.id;
    this.code = task.code;
    this.runType = task.runType;
    this.properties = task.properties;
    this.labels = task.labels;
    this.log = (text) => task.log.append(text);
    this.progress = (value, info) => task.setProgress(value, info);
    this.statements = (total) => task.setStatements(total);
    this.statementStarted = (index) => task.statementStarted(index);
    this.createResultSet = (spec) => task.results.create(spec);
  }

  get signal(): AbortSignal {
    return this.#task.signal;
  }

  get aborted(): boolean {
    return this.#task.aborted;
  }

  onAbort(listener: AbortListener): () => void {
    return this.#task.onAbort(listener);
  }

  get workDir(): string {
    return this.#task.workDir();
  }
}

/** The engine's view of a task: a narrow, stable surface over the task's stores. */
export function createTaskContext(task: EngineConnTask, user: string, killGraceMs: number): TaskContext {
  return new EngineTaskContext(task, user, killGraceMs);
}
