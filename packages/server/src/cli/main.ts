import { createRequire } from 'node:module';
import { EngineConnError } from '@engineconn/core';
import { Command } from 'commander';
import { registerEnginesCommand } from './commands/engines.js';
import { registerKillCommand } from './commands/kill.js';
import { registerLockCommand } from './commands/lock.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerManagerCommand } from './commands/manager.js';
import { registerOnceCommand } from './commands/once.js';
import { registerResultsCommand } from './commands/results.js';
import { registerShutdownCommand } from './commands/shutdown.js';
import { registerStartCommand } from './commands/start.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSubmitCommand } from './commands/submit.js';
import { registerTasksCommand } from './commands/tasks.js';
import { registerUnlockCommand } from './commands/unlock.js';
import { usageErrorOutput } from './flags/usage-error.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('engineconn')
  .description('EngineConn: hold a live engine session and run callers’ tasks through it')
  .version(version)
  .showHelpAfterError()
  // Before the commands are added: each copies it.
  .configureOutput({ outputError: usageErrorOutput() });

// One line per command; each lives in ./commands/<name>.ts and exports register<Name>Command(program).
registerStartCommand(program);
registerOnceCommand(program);
registerSubmitCommand(program);
registerStatusCommand(program);
registerTasksCommand(program);
registerLogsCommand(program);
registerResultsCommand(program);
registerKillCommand(program);
registerLockCommand(program);
registerUnlockCommand(program);
registerShutdownCommand(program);
registerManagerCommand(program);
registerEnginesCommand(program);

// Not a top-level await: the bundled CLI is a CommonJS script (scripts/bundle.mjs), which has none.
program.parseAsync(process.argv).catch((err: unknown) => {
  const error = EngineConnError.from(err);
  process.stderr.write(`engineconn: ${error.message}\n`);
  process.exitCode = 1;
});
