import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';

export function registerShutdownCommand(program: Command): void {
  withClientFlags(
    program.command('shutdown').description('Ask an EngineConn to drain its running tasks and exit (owner or admin)'),
  ).action((flags: ClientFlags) =>
    runClientCommand(async () => {
      const client = await createClient(flags);
      await client.shutdown();
      process.stderr.write(`shutdown requested: ${client.url} drains its running tasks, then exits\n`);
      return 0;
    }),
  );
}
