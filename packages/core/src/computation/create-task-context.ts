import { mkdirSync } from 'node:fs';
import type { TaskContext } from '../plugin/task-context.js';
import type { EngineConnTask } from './engine-conn-task.js';

/** The engine's view of a task: a narrow, stable surface over the task's stores. */
export function createTaskContext(task: EngineConnTask, user: string, killGraceMs: number): TaskContext {
  let workDir: string | undefined;
  return {
    id: task.id,
    code: task.code,
    runType: task.runType,
    user,
    properties: task.properties,
    labels: task.labels,
    signal: task.controller.signal,
    killGraceMs,
    // Created on first use: most engines never ask, and a directory per task is a file-system round
    // trip on every task (0.1-0.3 ms of CPU on a virtualised disk) that trivial tasks cannot afford.
    get workDir() {
      if (workDir === undefined) {
        mkdirSync(task.dir, { recursive: true });
        workDir = task.dir;
      }
      return workDir;
    },
    log: (text) => task.log.append(text),
    progress: (value, info) => task.setProgress(value, info),
    statements: (total) => task.setStatements(total),
    statementStarted: (index) => task.statementStarted(index),
    createResultSet: (spec) => task.results.create(spec),
  };
}
