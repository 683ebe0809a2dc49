import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';

export function registerUnlockCommand(program: Command): void {
  withClientFlags(
    program.command('unlock').description('Release a lock').argument('<lock>', 'the lock from `engineconn lock`'),
  ).action((lock: string, flags: ClientFlags) =>
    runClientCommand(async () => {
      await (await createClient(flags)).unlock(lock);
      process.stderr.write('unlocked\n');
      return 0;
    }),
  );
}
