import { readFile } from 'node:fs/promises';
import type { EventTransport } from '@engineconn/client';
import { BadRequestError, type TaskInfo, type TaskStatus } from '@engineconn/core';
import type { Command } from 'commander';
import {
  type ClientFlags,
  createClient,
  describeFailure,
  runClientCommand,
  withClientFlags,
  writeOut,
} from '../client/client-flags.js';
import { parseFormat, printResultSet, printResultSets } from '../client/result-printer.js';

interface SubmitFlags extends ClientFlags {
  file?: string;
  lock?: string;
  runType?: string;
  format: string;
  json?: boolean;
  transport: string;
}

/** Exit codes of `engineconn submit` (DESIGN §7). */
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
    .option('--file <file>', 'read the code from a file (- for stdin)')
    .option('--lock <lock>', 'the lock from `engineconn lock`, when the EngineConn is locked')
    .option('--run-type <type>', "the code language, one of the engine's run types")
    .option('--format <format>', 'result output: table | json | csv', 'table')
    .option('--json', 'same as --format json: {"task", "resultSets"} on stdout')
    .option('--transport <transport>', 'how to follow the task: sse | ws', 'sse')
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

async function runSubmit(codeArg: string | undefined, flags: SubmitFlags): Promise<number> {
  const format = flags.json ? 'json' : parseFormat(flags.format, ['table', 'json', 'csv']);
  if (flags.transport !== 'sse' && flags.transport !== 'ws') {
    throw new BadRequestError(`--transport must be sse or ws; got '${flags.transport}'.`);
  }
  const transport: EventTransport = flags.transport;
  const code = await readCode(codeArg, flags.file);
  const client = await createClient(flags);
  const handle = await client.submit({
    code,
    ...(flags.lock ? { lock: flags.lock } : {}),
    ...(flags.runType ? { runType: flags.runType } : {}),
  });
  const id = handle.id;
  // cli-progress is loaded only by the command that draws bars.
  const { createProgressDisplay } = await import('../client/progress-display.js');
  const display = createProgressDisplay(process.stderr, id);

  // Ctrl-C kills the task and waits for it to stop (so nothing is left running); a second one leaves at once.
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      display.stop();
      process.stderr.write(`engineconn: interrupted again; task ${id} may still be stopping\n`);
      process.exit(130);
    }
    interrupted = true;
    display.log([`engineconn: killing task ${id} (Ctrl-C again to leave at once)`]);
    handle.kill().catch((err: unknown) => display.log([`engineconn: the kill failed: ${describeFailure(err)}`]));
  };
  process.on('SIGINT', onSigint);

  let logNext = 0;
  try {
    for await (const event of client.events(id, { transport })) {
      if (event.event === 'status') display.status(event.data.status);
      else if (event.event === 'progress') display.progress(event.data.progress);
      else if (event.event === 'log') {
        const { from, lines } = event.data;
        // A gap between batches is read from the log itself, so no line is ever skipped.
        while (logNext < from) {
          const page = await client.logs(id, { from: logNext, limit: Math.min(1000, from - logNext) });
          if (page.lines.length === 0) break;
          display.log(page.lines);
          logNext = page.from + page.lines.length;
        }
        display.log(lines.slice(Math.max(0, logNext - from)));
        logNext = Math.max(logNext, from + lines.length);
      }
    }
  } finally {
    display.stop();
    process.off('SIGINT', onSigint);
  }

  const info = await client.task(id);
  if (format === 'json') {
    await writeOut(`{"task":${JSON.stringify(info)},"resultSets":`);
    await printResultSets(client, id, info.resultSets, 'json');
    await writeOut('}\n');
  } else {
    for (const [i, meta] of info.resultSets.entries()) {
      if (i > 0) await writeOut('\n');
      await printResultSet(client, id, meta, format);
    }
  }
  process.stderr.write(`${summary(info)}\n`);
  return SUBMIT_EXIT[info.status];
}

function summary(info: TaskInfo): string {
  const ms = info.finishedAt && info.startedAt ? Date.parse(info.finishedAt) - Date.parse(info.startedAt) : null;
  const took = ms === null ? '' : ` in ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`;
  const error = info.error ? `: ${info.error.message} [${info.error.code}]` : '';
  return `Task ${info.id} ${info.status}${took}${error}`;
}
