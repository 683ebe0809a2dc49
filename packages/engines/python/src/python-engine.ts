import { defineEngine } from '@engineconn/core';
import { PythonSession, readPythonOptions } from './python-session.js';
import { defaultPythonCommand, probePythonVersion } from './python-version.js';

let sessionVersion: string | undefined;

/**
 * The python engine: one persistent interpreter per EngineConn, so it runs one task at a time
 * (serial or once). A kill interrupts the code (KeyboardInterrupt); code that does not stop within
 * the task's grace costs a restart. A crashed interpreter fails its task and is replaced.
 */
export const pythonEngine = defineEngine<PythonSession>({
  name: 'python',
  get version() {
    return sessionVersion ?? probePythonVersion();
  },
  description: 'A persistent Python interpreter; a trailing expression is shown, show_table/html/image add results.',
  defaultExecutor: 'serial',
  executors: ['serial', 'once'],
  runTypes: ['python', 'py'],
  example: 'print(42)',
  optionKeys: ['python.command', 'python.startupTimeoutMs'],
  defaultOptions: { 'python.startupTimeoutMs': '10000' },
  async createSession(ctx, env) {
    const session = new PythonSession(readPythonOptions(ctx, defaultPythonCommand()), env.logger);
    await session.open();
    sessionVersion = session.version;
    return session;
  },
  createExecutor(session) {
    return { execute: (task) => session.execute(task) };
  },
  closeSession: (session) => session.close(),
  checkHealth: (session) => session.health(),
});
