import { readFile } from 'node:fs/promises';
import type { EventTransport, ManagerClient, TaskHandle } from '@engineconn/client';
import { BadRequestError, type TaskInfo, type TaskStatus } from '@engineconn/core';
import { type Command, Option } from 'commander';
import {
  type ClientFlags,
  createClient,
  createManagerClient,
  describeFailure,
  runClientCommand,
  withClientFlags,
} from '../client/client-flags.js';
import type { ProgressDisplay } from '../client/progress-display.js';
import { durationText } from '../flags/flag-values.js';
import { collectKeyValue, parseProperties } from '../options.js';
import { writeResultFiles } from '../output/result-files.js';
import { printJsonSets, printResultSets } from '../output/result-printer.js';
import { clientResultSource } from '../output/result-source.js';
import { writeOut } from '../output/write-out.js';

const SUBMIT_FORMATS = ['table', 'json', 'csv'] as const;

interface SubmitFlags extends ClientFlags {
  manager?: string;
  engine?: string;
  file?: string;
  lock?: string;
  runType?: string;
  format: (typeof SUBMIT_FORMATS)[number];
  json?: boolean;
  transport: EventTransport;
  wait: string;
  property: string[];
  out?: string;
}

/** Exit codes of `engineconn submit` (docs/usage.md#run-code). */
export const SUBMIT_EXIT: Record<TaskStatus, number> = {
  Succeed: 0,
  Failed: 1,
  Timeout: 1,
  Cancelled: 130,
  Inited: 1,
  Scheduled: 1,
  Running: 1,
};

export function registerSubmitCommand(program: Command): void {
  withClientFlags(
    program
      .command('submit')
      .description(
        'Run code on an EngineConn: stream its logs and progress, print its results; exit 0 Succeed, 1 Failed, 130 Cancelled',
      )
      .argument('[code]', 'the code to run (or use --file)'),
  )
    .option('--manager <url>', 'run it through a manager instead (env ENGINECONN_MANAGER), with --engine')
    .option('--engine <type>', 'with --manager: the engine type to run it on (duckdb, shell, python, ...)')
    .option('--file <file>', 'read the code from a file (- for stdin)')
    .option('--lock <lock>', 'the lock from `engineconn lock`, when the EngineConn is locked')
    .option('--run-type <type>', "the code language, one of the engine's run types")
    .addOption(new Option('--format <format>', 'result output').choices(SUBMIT_FORMATS).default('table'))
    .option('--json', 'same as --format json: {"task", "resultSets"} on stdout')
    .option(
      '--property <k=v>',
      'a task property (repeatable), e.g. timeout=30s, cwd=/tmp, env.NAME=value; a JSON value is parsed',
      collectKeyValue,
      [],
    )
    .option('--out <dir>', 'write each result set to its own file in DIR (csv for tables) instead of stdout')
    .addOption(new Option('--transport <transport>', 'how to follow the task').choices(['sse', 'ws']).default('sse'))
    .option(
      '--wait <duration>',
      'how long the submit request waits for the task to end before following it live (at most 60s)',
      durationText,
      CLI_SUBMIT_WAIT,
    )
    .action((code: string | undefined, flags: SubmitFlags) => runClientCommand(() => runSubmit(code, flags)));
}

async function readCode(code: string | undefined, file: string | undefined): Promise<string> {
  if (code !== undefined && file !== undefined) throw new BadRequestError('Give the code or --file, not both.');
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new BadRequestError(`Cannot read --file '${file}': ${(err as Error).message}`);
    }
  }
  if (code === undefined) throw new BadRequestError('Nothing to run: give the code as an argument or with --file.');
  return code;
}

/**
 * How long `submit` waits for the task in the submit request itself: a task that ends by then is
 * printed from that one answer; a longer one is followed live after at most this delay. It also
 * bounds how late a Ctrl-C given during the wait kills the task (its id comes with the answer).
 */
export const CLI_SUBMIT_WAIT = '1s';

/** `--manager M --engine E`: the job goes through a manager, which picks or launches the engine. */
async function managerOf(flags: SubmitFlags): Promise<ManagerClient> {
  if (!flags.engine) throw new BadRequestError('--manager needs --engine: the engine type to run the code on.');
  if (flags.url !== undefined) throw new BadRequestError('Give --url (an EngineConn) or --manager, not both.');
  if (flags.lock !== undefined)
    throw new BadRequestError('--lock applies to one EngineConn (--url), not to a manager.');
  if (flags.transport !== 'sse') throw new BadRequestError('A manager streams its jobs over SSE: drop --transport.');
  return createManagerClient(flags);
}

async function runSubmit(codeArg: string | undefined, flags: SubmitFlags): Promise<number> {
  let submitting = false;
  // Ctrl-C kills the task and waits for it to stop (so nothing is left running); a second one leaves at
  // once. During the submit's wait the id is not known yet: the kill goes out as soon as it is.
  let interrupted = false;
  let handle: TaskHandle | null = null;
  let display: ProgressDisplay | null = null;
  const say = (line: string) => (display ? display.log([line]) : process.stderr.write(`${line}\n`));
  const kill = (task: TaskHandle) => {
    say(`engineconn: killing task ${task.id} (Ctrl-C again to leave at once)`);
    task.kill().catch((err: unknown) => say(`engineconn: the kill failed: ${describeFailure(err)}`));
  };
  let followed = false;
  const onSigint = () => {
    // Installed before anything else and kept to the exit: no moment of the command leaves Ctrl-C
    // to the default handler, which would end the CLI by the signal and leave the task running.
    if (followed) process.exit(130);
    if (interrupted) {
      display?.stop();
      process.stderr.write(
        `engineconn: interrupted again; ${handle ? `task ${handle.id}` : 'the task'} may still be stopping\n`,
      );
      process.exit(130);
    }
    interrupted = true;
    if (!handle && !submitting) process.exit(130);
    if (handle) kill(handle);
    else
      say(
        'engineconn: the task is killed as soon as the EngineConn answers with its id (Ctrl-C again to leave at once)',
      );
  };
  process.on('SIGINT', onSigint);

  const format = flags.json ? 'json' : flags.format;
  const transport = flags.transport;
  const manager = flags.manager !== undefined || flags.engine !== undefined ? await managerOf(flags) : null;
  const code = await readCode(codeArg, flags.file);
  const properties = parseProperties(flags.property ?? []);
  const hasProperties = Object.keys(properties).length > 0;
  const client = manager ? manager.jobs : await createClient(flags);

  try {
    submitting = true;
    handle = manager
      ? await manager.submit({
          engineType: flags.engine as string,
          code,
          ...(flags.runType ? { runType: flags.runType } : {}),
          ...(hasProperties ? { properties } : {}),
        })
      : await client.submit(
          {
            code,
            ...(flags.lock ? { lock: flags.lock } : {}),
            ...(flags.runType ? { runType: flags.runType } : {}),
            ...(hasProperties ? { properties } : {}),
          },
          { wait: flags.wait, transport },
        );
    const id = handle.id;
    // cli-progress is loaded only by the command that draws bars.
    const { createProgressDisplay } = await import('../client/progress-display.js');
    display = createProgressDisplay(process.stderr, id);
    if (handle.completed) await showEnded(handle, display);
    else {
      if (interrupted) kill(handle);
      await follow(handle, display);
    }
  } finally {
    display?.stop();
    // The task has ended (or the follow failed): a Ctrl-C from here on just leaves, with 130.
    followed = true;
  }

  const info = handle.completed ? await handle.done : await handle.info();
  const source = clientResultSource(client, info.id, handle.completed?.results);
  if (flags.out !== undefined) await writeResultFiles(source, info.resultSets, format, flags.out);
  else if (format === 'json') {
    await writeOut(`{"task":${JSON.stringify(info)},"resultSets":`);
    await printJsonSets(source, info.resultSets);
    await writeOut('}\n');
  } else await printResultSets(source, info.resultSets, format);
  process.stderr.write(`${summary(info)}\n`);
  return SUBMIT_EXIT[info.status];
}

/** Shows the task's status, progress and log lines as they come, until it ends. */
async function follow(handle: TaskHandle, display: ProgressDisplay): Promise<void> {
  for await (const event of handle.follow()) {
    if (event.event === 'status') display.status(event.data.status);
    else if (event.event === 'progress') display.progress(event.data.progress);
    else if (event.event === 'log') display.log(event.data.lines);
  }
}

/** Shows a task that ended within the submit's wait: its log (if any), final progress and status. */
async function showEnded(handle: TaskHandle, display: ProgressDisplay): Promise<void> {
  const completed = handle.completed;
  if (!completed) return;
  if (completed.logLines > 0) {
    let batch: string[] = [];
    for await (const line of handle.logs({ follow: false })) {
      batch.push(line);
      if (batch.length === 1000) {
        display.log(batch);
        batch = [];
      }
    }
    display.log(batch);
  }
  display.progress(completed.progress);
  display.status(completed.status);
}

function summary(info: TaskInfo): string {
  const ms = info.finishedAt && info.startedAt ? Date.parse(info.finishedAt) - Date.parse(info.startedAt) : null;
  const took = ms === null ? '' : ` in ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`;
  const error = info.error ? `: ${info.error.message} [${info.error.code}]` : '';
  return `Task ${info.id} ${info.status}${took}${error}`;
}
