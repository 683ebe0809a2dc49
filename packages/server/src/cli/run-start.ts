import { CallerWatchdog, EngineConnError } from '@engineconn/core';
import { type BootFlags, completeBoot, prepareBoot } from './boot/boot-engine-conn.js';
import { TeardownStack } from './boot/teardown-stack.js';
import { DEFAULT_URL } from './client/client-flags.js';
import { consoleUrl } from './console-url.js';
import { newEngineConnId } from './engine-context.js';
import type { LogFormat, LogLevel } from './flags/log-flags.js';
import { LogTail } from './log-tail.js';
import { createLogger } from './logger.js';
import { openReadyFile, readyFileAt } from './ready-file.js';
import { installSignalHandlers } from './signals.js';

export interface StartFlags extends BootFlags {
  port: number;
  readyFile?: string;
  bodyLimit: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

function printStartFailure(err: unknown, hiddenTail: string[]): void {
  const error = EngineConnError.from(err, 'EC_ENGINE_START_FAILED');
  let message = `engineconn: failed to start: ${error.message} [${error.code}]\n`;
  let cause = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    if (cause.message !== error.message) message += `  caused by: ${cause.message}\n`;
    cause = cause.cause;
  }
  if (hiddenTail.length > 0) message += `  last log lines:\n${hiddenTail.map((l) => `    ${l}\n`).join('')}`;
  process.stderr.write(message);
}

/**
 * Runs `engineconn start` to the end and returns the process exit code: the shared boot
 * (boot/boot-engine-conn.ts), then the ready file, the caller watchdog and the start hint; it
 * serves until the runtime exits (shutdown, idle release, a signal), then unwinds what it opened.
 */
export async function runStart(flags: StartFlags): Promise<number> {
  const id = newEngineConnId();
  const tail = new LogTail();
  const logger = createLogger(flags.logLevel, { ec: id }, tail, flags.logFormat);
  const signals = installSignalHandlers({
    announce: (signal) =>
      logger.info({ signal }, 'signal received; draining tasks before exit (send it again to exit now)'),
    exitCode: (signal) => (signal === 'SIGINT' ? 130 : 143),
  });
  const teardown = new TeardownStack((step, err) => logger.error({ err, step }, 'closing failed'));
  teardown.defer('the signal handlers', () => signals.dispose());
  let exitCode = 1;
  try {
    const prepared = await prepareBoot({
      id,
      flags,
      port: flags.port,
      bodyLimit: flags.bodyLimit,
      logger,
      logTail: tail,
      teardown,
      succeeded: (cause) => !cause.failed && exitCode === 0,
    });
    const { context } = prepared;
    // Opened as root: the user the EngineConn runs as may not create files where it was asked for.
    const readyFile = flags.readyFile
      ? prepared.runAs
        ? await openReadyFile(flags.readyFile)
        : readyFileAt(flags.readyFile)
      : null;
    if (readyFile) teardown.defer('the ready file', () => readyFile.remove());

    const booted = await completeBoot(prepared, signals.signal);
    const { runtime, url, auth, ownerToken, plugin } = booted;
    signals.attach(() => {
      runtime.shutdown(`signal ${signals.received}`).catch((err: unknown) => logger.error({ err }, 'shutdown failed'));
    });
    const watchdog = CallerWatchdog.fromOptions(runtime, logger);
    teardown.defer('the caller watchdog', () => watchdog?.close());
    await readyFile?.write({ url, id, pid: process.pid, ...(ownerToken ? { token: ownerToken } : {}) });

    const { isLoopback } = await import('../http/auth.js');
    if (!auth && !isLoopback(flags.host) && flags.host !== 'localhost') {
      logger.warn({ host: flags.host }, 'no --auth-file: only loopback callers are accepted, remote ones get 403');
    }
    const { executor } = context;
    logger.info({ url, engine: plugin.name, executor, shareLevel: booted.shareLevel }, 'EngineConn serving');
    // The client commands' default URL needs no `--url` in the hint.
    const urlFlag = url === DEFAULT_URL ? '' : ` --url ${url}`;
    const tokenFlag = auth ? ' --token <your token>' : '';
    process.stdout.write(
      `EngineConn ${id} (${plugin.name}, ${executor}) listening on ${url}\n` +
        `Console: ${consoleUrl(url, ownerToken)}\n` +
        `Try: npx engineconn submit${urlFlag}${tokenFlag} "${plugin.example ?? 'select 42 as answer'}"\n`,
    );
    const exit = await runtime.exited;
    logger.info({ status: exit.status, reason: exit.reason, exitCode: exit.exitCode }, 'EngineConn exiting');
    exitCode = exit.exitCode;
    await teardown.unwind();
    return exitCode;
  } catch (err) {
    // Said first: a manager reads it from the log, and may stop the process once it hears of the failure.
    if (signals.received) process.stderr.write(`engineconn: start-up interrupted by ${signals.received}\n`);
    else printStartFailure(err, flags.logLevel === 'silent' ? [] : tail.below(flags.logLevel));
    await teardown.unwind({ failed: true, error: err });
    if (signals.received) return signals.received === 'SIGINT' ? 130 : 143;
    return 1;
  }
}
