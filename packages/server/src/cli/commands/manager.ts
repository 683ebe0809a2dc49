import { type Command, Option } from 'commander';
import { durationMs, positiveDurationMs, wholeNumber } from '../flags/flag-values.js';
import { LOG_LEVELS } from '../flags/log-flags.js';
import { usageErrorOutput } from '../flags/usage-error.js';
import { collectKeyValue } from '../options.js';
import type { ManagerFlags } from '../run-manager.js';

/**
 * A duration flag in milliseconds whose default is written as an operator would write it (`60s`):
 * the help shows that text and the value is parsed from it, so the two cannot disagree.
 */
function durationOption(
  flag: string,
  description: string,
  byDefault: string,
  parse: (value: string) => number = positiveDurationMs,
): Option {
  return new Option(`${flag} <duration>`, description).argParser(parse).default(parse(byDefault), byDefault);
}

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
    .addOption(durationOption('--engine-start-timeout', 'kill an engine not ready within this', '60s'))
    .addOption(durationOption('--engine-idle-time', "the engines' --max-free-time; 0 = never", '30m', durationMs))
    .addOption(
      durationOption('--heartbeat-interval', "the engines' heartbeat interval; three missed make one Lost", '10s'),
    )
    .addOption(
      durationOption('--orphan-timeout', 'engines release themselves once the manager is unreachable this long', '10m'),
    )
    .addOption(durationOption('--stop-grace', 'how long a stopped engine may drain before it is killed', '10s'))
    .option('--keep-engines', 'leave the engines running when the manager shuts down')
    .addOption(new Option('--log-level <level>', 'the log on stderr').choices(LOG_LEVELS).default('info'))
    .action(async (flags: ManagerFlags) => {
      const { runManager } = await import('../run-manager.js');
      process.exitCode = await runManager(flags);
      process.exit();
    });
}
