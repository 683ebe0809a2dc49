import { type Command, Option } from 'commander';
import { durationText, sizeBytes, wholeNumber, wholeNumberText } from '../flags/flag-values.js';
import { LOG_FORMATS, LOG_LEVELS } from '../flags/log-flags.js';
import { usageErrorOutput } from '../flags/usage-error.js';
import { collectKeyValue } from '../options.js';
import type { StartFlags } from '../run-start.js';

/** `engineconn start` (docs/configuration.md): flags here, the work in ../run-start.ts. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Start an EngineConn and serve its HTTP API until shut down or idle')
    .configureOutput({ outputError: usageErrorOutput('failed to start: ') })
    // A one-line hint rather than the whole help: a manager reads the failure from the log's last lines.
    .showHelpAfterError('(engineconn start --help lists the flags)')
    .option('--engine <name>', 'engine: duckdb, shell, python, postgres, sqlite, trino, or a module path', 'duckdb')
    .addOption(
      new Option('--executor <kind>', "the executor (default: the engine's)").choices([
        'serial',
        'concurrent',
        'async',
      ]),
    )
    .option(
      '--concurrency <n>',
      "tasks run at once by the concurrent/async executors (default: the engine's)",
      wholeNumberText(1),
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', wholeNumber(0, 65535), 7070)
    .option('--user <user>', 'the EngineConn owner (default: the OS user); started as root, the OS user tasks run as')
    .addOption(
      new Option(
        '--share-level <level>',
        'user: only the owner and admins submit; server: any authenticated user (default user; ec.shareLevel)',
      ).choices(['user', 'server']),
    )
    .option(
      '--allow-origin <origin>',
      'a web origin whose pages may call this EngineConn (repeatable)',
      collectKeyValue,
      [],
    )
    .option(
      '--public-url <url>',
      'a URL this EngineConn is reached by, e.g. behind a proxy (repeatable)',
      collectKeyValue,
      [],
    )
    .option('--label <k=v>', 'a label (repeatable); creator=NAME sets the userCreator label', collectKeyValue, [])
    .option('--conf <k=v>', 'an option, e.g. ec.killGrace=5s (repeatable)', collectKeyValue, [])
    .option('--config <file>', 'JSON object of options (below --conf and dedicated flags)')
    .option(
      '--data-dir <dir>',
      'where task logs and results go (default: <tmp>/engineconn/<id>, removed on a clean exit)',
    )
    .option(
      '--auth-file <file>',
      'bearer tokens {"tokens": [{"token", "user", "admin"}]} (default: an owner token, ENGINECONN_TOKEN or generated; loopback only)',
    )
    .option(
      '--max-free-time <duration>',
      'release after this long with nothing to do; 0 = never (default 30m)',
      durationText,
    )
    .option('--manager <url>', 'manager to report status and heartbeats to')
    .option('--heartbeat-interval <duration>', 'time between heartbeats to the manager (default 30s)', durationText)
    .option(
      '--caller-timeout <duration>',
      'kill a task no caller has streamed or polled for this long (default: never)',
      durationText,
    )
    .option('--ready-file <file>', 'write {"url", "id", "pid", "token"} here (mode 0600) once serving')
    .option('--tls-cert <file>', 'serve HTTPS and WSS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', "the certificate's PEM private key")
    .option('--insecure-http', 'allow a non-loopback --host without TLS (tokens cross the network in clear)')
    .addOption(
      new Option('--body-limit <size>', 'largest request body').argParser(sizeBytes).default(10 * 1024 ** 2, '10MiB'),
    )
    .addOption(new Option('--log-level <level>', 'the log on stderr').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--log-format <format>', 'auto: readable lines on a terminal, else JSON')
        .choices(LOG_FORMATS)
        .default('auto'),
    )
    .action(async (flags: StartFlags) => {
      // Loaded on demand, so the client commands do not pay for the server's imports.
      const { runStart } = await import('../run-start.js');
      process.exitCode = await runStart(flags);
      process.exit();
    });
}
