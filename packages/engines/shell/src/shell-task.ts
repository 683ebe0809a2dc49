import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import {
  BadRequestError,
  EngineConnError,
  EngineError,
  groupMembers,
  nicedCommand,
  processesWithEnv,
  type ResultSetWriter,
  type StopOutcome,
  TaskCancelledError,
  type TaskContext,
  terminateGroup,
  terminatePids,
} from '@engineconn/core';
import type { ShellSession } from './shell-session.js';
import { StreamPump } from './stream-pump.js';

/** Every process a task starts inherits this cookie, so strays that left its group can be found. */
export const TASK_COOKIE_ENV = 'ENGINECONN_SHELL_TASK';
const STDERR_LINES_IN_ERROR = 5;

interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs one task as `bash -c <code>` in a process group of its own. The task settles only once the
 * shell has exited, every process of its group is gone and its output is fully read; background
 * processes the shell leaves behind are stopped too.
 */
export async function runShellTask(task: TaskContext, session: ShellSession): Promise<void> {
  const cwd = await resolveCwd(task, session);
  const cookie = randomUUID();
  const env = { ...process.env, ...session.env, ...taskEnv(task), [TASK_COOKIE_ENV]: cookie };
  if (task.signal.aborted) throw new EngineConnError('EC_TASK_CANCELLED', 'The task was killed before it started.');

  const [command, args] = nicedCommand(session.nice, 'bash', ['-c', task.code]);
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pgid = child.pid;
  if (pgid === undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    throw new EngineError(`Could not start bash: ${spawnError?.message ?? 'unknown error'}.`, { cause: spawnError });
  }

  session.groups.add(pgid);
  let stopping: Promise<StopOutcome> | undefined;
  const stop = (): Promise<StopOutcome> => {
    stopping ??= terminateGroup(pgid, task.killGraceMs);
    return stopping;
  };
  let sweeping: Promise<void> | undefined;
  const onAbort = (): void => {
    // The group gets SIGTERM first; the slower /proc sweep for strays runs while it dies.
    void stop();
    sweeping = sweepStrays(task, cookie);
  };
  task.signal.addEventListener('abort', onAbort, { once: true });

  let writer: ResultSetWriter | undefined;
  let writeFailure: unknown;
  const cap = session.maxOutputBytes;
  const capNote = (stream: string) => () =>
    task.log(`[engineconn] ${stream} reached shell.maxOutputBytes (${cap} bytes); further output is counted, not kept`);
  const stdout = new StreamPump(child.stdout, {
    maxBytes: cap,
    onLine: (line) => task.log(line),
    onText: async (text) => {
      writer ??= await task.createResultSet({ type: 'TEXT' });
      await writer.write(text);
    },
    onTextError: (err) => {
      writeFailure = err;
      task.log(`[engineconn] writing the result failed (${errorMessage(err)}); stopping the task`);
      void stop();
    },
    onCapReached: capNote('stdout'),
  });
  const stderr = new StreamPump(child.stderr, {
    maxBytes: cap,
    keepTail: true,
    onLine: (line) => task.log(line),
    onCapReached: capNote('stderr'),
  });

  let status: ExitStatus;
  let outcome: StopOutcome = 'gone';
  try {
    status = await exited;
    if (!stopping) {
      const left = groupMembers(pgid);
      if (left.length > 0) {
        task.log(
          `[engineconn] the shell exited but left ${left.length} process(es) running in its process group ` +
            `(pid ${left.join(', ')}); stopping them`,
        );
        void stop();
      }
    }
    if (stopping) outcome = await stopping;
    await sweeping;
    await drain(task, cookie, stdout, stderr);
    await sweeping;
  } finally {
    task.signal.removeEventListener('abort', onAbort);
    session.groups.delete(pgid);
    await writer?.close();
  }

  for (const [name, pump] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as const) {
    if (pump.cutBytes > 0) {
      task.log(
        `[engineconn] ${name}: kept ${pump.keptBytes} bytes, cut ${pump.cutBytes} bytes past shell.maxOutputBytes`,
      );
    }
  }
  if (task.signal.aborted) throw new TaskCancelledError(describeStop(outcome, task.killGraceMs));
  if (writeFailure !== undefined) throw EngineConnError.from(writeFailure);
  const tail = stderr.tailLines(STDERR_LINES_IN_ERROR);
  const detail = tail.length > 0 ? ` Last stderr lines:\n${tail.join('\n')}` : '';
  if (status.signal) throw new EngineError(`The shell was killed by signal ${status.signal}.${detail}`);
  if (status.code !== 0) throw new EngineError(`The shell exited with code ${status.code}.${detail}`);
}

/**
 * Waits for both pipes to reach end-of-file. If they stay open after the group is gone, a process
 * that left the group (setsid, double fork) still holds them: find it by the task's cookie and stop
 * it; as a last resort stop reading, so the task never hangs on someone else's pipe.
 */
async function drain(task: TaskContext, cookie: string, ...pumps: StreamPump[]): Promise<void> {
  const all = Promise.all(pumps.map((pump) => pump.done));
  const settled = async (): Promise<boolean> => {
    const timer = new AbortController();
    const timeout = delay(task.killGraceMs, false, { signal: timer.signal }).catch(() => false);
    const result = await Promise.race([all.then(() => true), timeout]);
    timer.abort();
    return result;
  };
  if (await settled()) return;
  await sweepStrays(task, cookie);
  if (await settled()) return;
  task.log('[engineconn] a process outside the task still holds its output open; stopped reading it');
  for (const pump of pumps) pump.abandon();
  await all;
}

async function sweepStrays(task: TaskContext, cookie: string): Promise<void> {
  const strays = processesWithEnv(TASK_COOKIE_ENV, cookie);
  if (strays.length === 0) return;
  task.log(
    `[engineconn] stopping ${strays.length} process(es) that left the task's process group (pid ${strays.join(', ')})`,
  );
  await terminatePids(strays, task.killGraceMs);
}

async function resolveCwd(task: TaskContext, session: ShellSession): Promise<string> {
  const requested = task.properties.cwd;
  if (requested !== undefined && (typeof requested !== 'string' || requested === '')) {
    throw new BadRequestError("Task property 'cwd' must be a non-empty string (a directory path).");
  }
  const cwd = requested ?? session.cwd ?? task.workDir;
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new BadRequestError(`The working directory '${cwd}' does not exist or is not a directory.`);
  }
  return cwd;
}

function taskEnv(task: TaskContext): Record<string, string> {
  const env = task.properties.env;
  if (env === undefined) return {};
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new BadRequestError('Task property \'env\' must be an object of strings, e.g. {"NAME": "value"}.');
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string') {
      throw new BadRequestError(`Task property 'env.${name}' must be a string; got ${typeof value}.`);
    }
    out[name] = value;
  }
  return out;
}

function describeStop(outcome: StopOutcome, graceMs: number): string {
  if (outcome === 'SIGKILL') return `its processes ignored SIGTERM and were killed with SIGKILL after ${graceMs} ms`;
  if (outcome === 'SIGTERM') return 'its processes were stopped with SIGTERM';
  return 'its processes had already ended';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
