import { createRequire } from 'node:module';
import { EngineConnError } from '@engineconn/core';
import { Command } from 'commander';
import { registerOnceCommand } from './commands/once.js';
import { registerStartCommand } from './commands/start.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('engineconn')
  .description('EngineConn: hold a live engine session and run callers’ tasks through it')
  .version(version)
  .showHelpAfterError();

// One line per command; each lives in ./commands/<name>.ts and exports register<Name>Command(program).
registerStartCommand(program);
registerOnceCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const error = EngineConnError.from(err);
  process.stderr.write(`engineconn: ${error.message}\n`);
  process.exitCode = 1;
}
