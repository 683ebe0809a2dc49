import { readFile } from 'node:fs/promises';
import { type Caller, EngineConnError, type TaskInfo, type TaskView } from '@engineconn/core';
import { TeardownStack } from '../boot/teardown-stack.js';
import type { OnceFlags } from '../commands/once.js';
import { consoleUrl } from '../console-url.js';
import { newEngineConnId } from '../engine-context.js';
import { printJsonSets, printResultSets } from '../output/result-printer.js';
import { writeOut, writeTo } from '../output/write-out.js';
import { installSignalHandlers } from '../signals.js';
import { viewResultSource } from './view-result-source.js';

const EXIT_SIGNALLED = 130;

async function readCode(flags: OnceFlags): Promise<string> {
  if ((flags.code === undefined) === (flags.file === undefined)) {
    throw new EngineConnError('EC_CONFIG_INVALID', 'Give the job as exactly one of --code CODE or --file FILE.');
  }
  if (flags.code !== undefined) return flags.code;
  try {
    return await readFile(flags.file as string, 'utf8');
  } catch (err) {
    throw new EngineConnError('EC_CONFIG_INVALID', `Cannot read --file '${flags.file}': ${(err as Error).message}`);
  }
}

function ignoreClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

/**
 * Runs `engineconn once` to the end and returns the exit code: 0 when the job succeeded, 1 when it
 * failed, timed out or could not start, 130 when SIGINT or SIGTERM stopped it. It boots as `start`
 * does (boot/boot-engine-conn.ts; serving the API only with `--port`), runs the one job, prints
 * its log and results, and unwinds. A signal during start-up abandons it; once the job runs, a
 * signal kills it and waits until its work has stopped, then flushes the log, the results
 * produced so far and the manager's release; a second signal exits at once.
 */
export async function runOnce(flags: OnceFlags): Promise<number> {
  const id = newEngineConnId();
  let job: TaskInfo | null = null;
  const signals = installSignalHandlers({
    announce: (signal) => process.stderr.write(`engineconn: ${signal}: stopping the job (send it again to exit now)\n`),
    exitCode: () => EXIT_SIGNALLED,
  });
  process.stdout.on('error', ignoreClosedPipe);
  // Loaded here, not at the top, so the other commands do not pay for the server's imports.
  const [{ createLogger }, boot] = await Promise.all([import('../logger.js'), import('../boot/boot-engine-conn.js')]);
  const logger = createLogger(flags.logLevel, { ec: id });
  const teardown = new TeardownStack((step, err) => logger.error({ err, step }, 'closing failed'));
  teardown.defer('the signal handlers', () => {
    signals.dispose();
    process.stdout.off('error', ignoreClosedPipe);
  });
  try {
    const code = await readCode(flags);
    const prepared = await boot.prepareBoot({
      id,
      flags,
      port: flags.port ?? null,
      once: true,
      logger,
      teardown,
      succeeded: () => job?.status === 'Succeed',
    });
    const booted = await boot.completeBoot(prepared, signals.signal);
    const ec = booted.runtime;
    if (booted.url) {
      process.stderr.write(
        `engineconn: EngineConn ${id} serving on ${booted.url} (console: ${consoleUrl(booted.url, booted.ownerToken)})\n`,
      );
    }
    const caller: Caller = { user: ec.context.user, admin: false };
    // Once it runs, a signal kills the job; its end ends the EngineConn (the once policy).
    signals.attach(() => {
      if (job) ec.kill(job.id, caller);
    });
    if (signals.received) {
      await ec.shutdown(`signal ${signals.received} before the job started`);
    } else {
      try {
        job = ec.submit(
          {
            code,
            ...(flags.runType ? { runType: flags.runType } : {}),
            ...(flags.timeout ? { properties: { timeout: flags.timeout } } : {}),
          },
          caller,
        );
      } catch (err) {
        await ec.shutdown(`the job was refused: ${EngineConnError.from(err).message}`);
        throw err;
      }
    }
    if (job) {
      const view = ec.getTask(job.id, caller);
      await streamLogs(view);
      await printResults(view, flags.format);
      const done = view.info();
      job = done;
      const took = done.startedAt && done.finishedAt ? Date.parse(done.finishedAt) - Date.parse(done.startedAt) : 0;
      const error = done.error ? `: ${done.error.message} [${done.error.code}]` : '';
      process.stderr.write(`engineconn: job ${done.id} ${done.status} in ${took} ms${error}\n`);
    }
    const exit = await ec.exited;
    logger.info({ status: exit.status, reason: exit.reason }, 'EngineConn exiting');
    await teardown.unwind();
    if (signals.received) return EXIT_SIGNALLED;
    return job?.status === 'Succeed' ? 0 : 1;
  } catch (err) {
    const error = EngineConnError.from(err);
    process.stderr.write(`engineconn: ${error.message} [${error.code}]\n`);
    await teardown.unwind({ failed: true, error: err });
    return signals.received ? EXIT_SIGNALLED : 1;
  }
}

/** Copies the job's log to stderr as it is written, until the job ends. */
async function streamLogs(view: TaskView): Promise<void> {
  for await (const event of view.journal.follow(0)) {
    if (event.event === 'log') {
      const { lines } = event.data as { lines: string[] };
      if (lines.length > 0) await writeTo(process.stderr, `${lines.join('\n')}\n`);
    }
  }
}

/**
 * The job's result sets on stdout through the printers every command uses; with `json`, one
 * document `{id, status, error?, resultSets: [...]}`.
 */
async function printResults(view: TaskView, format: OnceFlags['format']): Promise<void> {
  const source = viewResultSource(view);
  const sets = view.results.list();
  if (format !== 'json') {
    await printResultSets(source, sets, format, { concatenate: true });
    return;
  }
  const info = view.info();
  const head = { id: info.id, status: info.status, ...(info.error ? { error: info.error } : {}) };
  await writeOut(`${JSON.stringify(head).slice(0, -1)},"resultSets":`);
  await printJsonSets(source, sets);
  await writeOut('}\n');
}
