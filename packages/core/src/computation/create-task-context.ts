import type { TaskContext } from '../plugin/task-context.js';
import type { EngineConnTask } from './engine-conn-task.js';

/** The engine's view of a task: a narrow, stable surface over the task's stores. */
export function createTaskContext(task: EngineConnTask, user: string, killGraceMs: number): TaskContext {
  return {
    id: task.id,
    code: task.code,
    runType: task.runType,
    user,
    properties: task.properties,
    labels: task.labels,
    signal: task.signal,
    killGraceMs,
    get workDir() {
      return task.workDir();
    },
    log: (text) => task.log.append(text),
    progress: (value, info) => task.setProgress(value, info),
    statements: (total) => task.setStatements(total),
    statementStarted: (index) => task.statementStarted(index),
    createResultSet: (spec) => task.results.create(spec),
  };
}
