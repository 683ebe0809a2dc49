import { type Command, Option } from 'commander';
import { durationMs, positiveDurationMs, wholeNumber } from '../flags/flag-values.js';
import { LOG_LEVELS } from '../flags/log-flags.js';
import { usageErrorOutput } from '../flags/usage-error.js';
import { collectKeyValue } from '../options.js';
import type { ManagerFlags } from '../run-manager.js';

/** `engineconn manager start` (docs/manager.md#flags): flags here, the work in ../run-manager.ts. */
export function registerManagerCommand(program: Command): void {
  const manager = program
    .command('manager')
    .description('The EngineConnManager: start EngineConns per user on demand, reuse, watch and release them');
  manager
    .command('start')
    .description('Start the manager and serve its HTTP API until SIGTERM / SIGINT')
    .configureOutput({ outputError: usageErrorOutput('the manager failed to start: ') })
    .showHelpAfterError('(engineconn manager start --help lists the flags)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', wholeNumber(0, 65535), 7080)
    .option('--data-dir <dir>', 'registry and engine directories (default ~/.engineconn/manager)')
    .option(
      '--auth-file <file>',
      'bearer tokens {"tokens": [{"token", "user", "admin"}]} (default: an owner token, generated, loopback only)',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key); its engines trust it')
    .option('--tls-key <file>', "the certificate's PEM private key")
    .option('--insecure-http', 'allow a non-loopback --host without TLS (tokens cross the network in clear)')
    .option(
      '--allow-origin <origin>',
      'a web origin whose pages may call this manager (repeatable)',
      collectKeyValue,
      [],
    )
    .option(
      '--public-url <url>',
      'a URL this manager is reached by, e.g. behind a proxy (repeatable)',
      collectKeyValue,
      [],
    )
    .option('--ready-file <file>', 'write {"url", "pid", "token"} here once serving')
    .option('--max-engines <n>', 'engines at once over all users; 0 = no limit', wholeNumber(0), 0)
    .option('--max-engines-per-user <n>', 'engines at once per user; 0 = no limit', wholeNumber(0), 0)
    .addOption(
      new Option('--engine-start-timeout <duration>', 'kill an engine not ready within this')
        .argParser(positiveDurationMs)
        .default(60_000, '60s'),
    )
    .addOption(
      new Option('--engine-idle-time <duration>', "the engines' --max-free-time; 0 = never")
        .argParser(durationMs)
        .default(30 * 60_000, '30m'),
    )
    .addOption(
      new Option('--heartbeat-interval <duration>', "the engines' heartbeat interval; three missed make one Lost")
        .argParser(positiveDurationMs)
        .default(10_000, '10s'),
    )
    .addOption(
      new Option('--orphan-timeout <duration>', 'engines release themselves once the manager is unreachable this long')
        .argParser(positiveDurationMs)
        .default(10 * 60_000, '10m'),
    )
    .addOption(
      new Option('--stop-grace <duration>', 'how long a stopped engine may drain before it is killed')
        .argParser(positiveDurationMs)
        .default(10_000, '10s'),
    )
    .option('--keep-engines', 'leave the engines running when the manager shuts down')
    .addOption(new Option('--log-level <level>', 'the log on stderr').choices(LOG_LEVELS).default('info'))
    .action(async (flags: ManagerFlags) => {
      const { runManager } = await import('../run-manager.js');
      process.exitCode = await runManager(flags);
      process.exit();
    });
}
