import { type Command, Option } from 'commander';
import type { EngineContextFlags } from '../engine-context.js';
import { durationText, wholeNumber } from '../flags/flag-values.js';
import { LOG_LEVELS, type LogLevel } from '../flags/log-flags.js';
import { collectKeyValue } from '../options.js';
import type { TlsFlags } from '../tls-files.js';

/** `engineconn once` prints its job's result sets in one of these. */
export const ONCE_FORMATS = ['table', 'json', 'csv'] as const;

export interface OnceFlags extends Omit<EngineContextFlags, 'executor' | 'concurrency' | 'maxFreeTime'>, TlsFlags {
  engine: string;
  code?: string;
  file?: string;
  runType?: string;
  format: (typeof ONCE_FORMATS)[number];
  timeout?: string;
  port?: number;
  host: string;
  heartbeatInterval?: string;
  logLevel: LogLevel;
  allowOrigin?: string[];
  publicUrl?: string[];
}

/** `engineconn once` (docs/usage.md#one-off-jobs): flags here, the work in ../once/run-once.ts. */
export function registerOnceCommand(program: Command): void {
  program
    .command('once')
    .description('Run one job on a fresh EngineConn (the once executor): logs to stderr, results to stdout, then exit')
    .option('--engine <name>', 'engine: duckdb, shell, python, postgres, sqlite, trino, or a module path', 'duckdb')
    .option('--code <code>', 'the code to run')
    .option('--file <file>', 'read the code from this file')
    .option('--run-type <type>', "the code's language label (default: the engine's first)")
    .addOption(new Option('--format <format>', 'how results print on stdout').choices(ONCE_FORMATS).default('table'))
    .option('--timeout <duration>', 'stop the job after this long (exit 1)', durationText)
    .option(
      '--port <port>',
      'also serve the HTTP API here while the job runs (0 = any free port)',
      wholeNumber(0, 65535),
    )
    .option('--host <host>', 'address to serve on with --port', '127.0.0.1')
    .option('--tls-cert <file>', 'serve HTTPS and WSS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', "the certificate's PEM private key")
    .option('--insecure-http', 'allow a non-loopback --host without TLS')
    .option(
      '--allow-origin <origin>',
      'with --port: a web origin whose pages may call this EngineConn (repeatable)',
      collectKeyValue,
      [],
    )
    .option(
      '--public-url <url>',
      'with --port: a URL this EngineConn is reached by, e.g. behind a proxy (repeatable)',
      collectKeyValue,
      [],
    )
    .option('--user <user>', 'the EngineConn owner (default: the OS user)')
    .option('--label <k=v>', 'a label (repeatable)', collectKeyValue, [])
    .option('--conf <k=v>', 'an option, e.g. ec.killGrace=5s (repeatable)', collectKeyValue, [])
    .option('--config <file>', 'JSON object of options (below --conf and dedicated flags)')
    .option('--data-dir <dir>', 'where the log and results go (default: a temp dir, removed after a success)')
    .option('--manager <url>', 'manager to report status, heartbeats and the release to')
    .option('--heartbeat-interval <duration>', 'time between heartbeats to the manager (default 30s)', durationText)
    .addOption(
      new Option('--log-level <level>', "the EngineConn's own log on stderr").choices(LOG_LEVELS).default('warn'),
    )
    .action(async (flags: OnceFlags) => {
      // Loaded on demand, so the other commands do not pay for the server's imports.
      const { runOnce } = await import('../once/run-once.js');
      process.exitCode = await runOnce(flags);
      process.exit();
    });
}
