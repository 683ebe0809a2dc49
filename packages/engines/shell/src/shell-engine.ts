import { ConfigInvalidError, defineEngine, terminateGroup } from '@engineconn/core';
import { bashVersion } from './bash-version.js';
import { readShellSession, type ShellSession } from './shell-session.js';
import { runShellTask } from './shell-task.js';

const CLOSE_GRACE_MS = 1000;

/**
 * The shell engine: each task is `bash -c <code>` in a process group of its own, so a kill stops the
 * whole tree (SIGTERM, then SIGKILL after the task's grace) and nothing outlives its task.
 */
export const shellEngine = defineEngine<ShellSession>({
  name: 'shell',
  get version() {
    return bashVersion();
  },
  description: 'Runs each task as a bash script in its own process group; stdout is the TEXT result.',
  defaultExecutor: 'concurrent',
  executors: ['serial', 'concurrent', 'async', 'once'],
  runTypes: ['shell', 'sh', 'bash'],
  example: 'echo 42',
  defaultConcurrency: 16,
  optionKeys: ['shell.cwd', 'shell.maxOutputBytes', 'shell.env.*'],
  defaultOptions: { 'shell.maxOutputBytes': String(256 * 1024 * 1024) },
  async createSession(ctx) {
    const version = bashVersion();
    if (version === 'unknown') {
      throw new ConfigInvalidError('bash was not found on PATH; the shell engine needs it.');
    }
    return readShellSession(ctx, version);
  },
  createExecutor(session) {
    return { execute: (task) => runShellTask(task, session) };
  },
  async closeSession(session) {
    await Promise.all([...session.groups].map((pgid) => terminateGroup(pgid, CLOSE_GRACE_MS)));
    session.groups.clear();
  },
});
