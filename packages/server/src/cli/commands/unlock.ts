import { ConfigInvalidError } from '@engineconn/core';
import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';

export function registerUnlockCommand(program: Command): void {
  withClientFlags(
    program
      .command('unlock')
      .description('Release a lock, or break the one held now with --force (owner or admin)')
      .argument('[lock]', 'the lock from `engineconn lock`')
      .option('--force', 'break whatever lock is held, whoever holds it'),
  ).action((lock: string | undefined, flags: ClientFlags & { force?: boolean }) =>
    runClientCommand(async () => {
      const client = await createClient(flags);
      if (lock !== undefined) await client.unlock(lock);
      else if (flags.force) await client.breakLock();
      else throw new ConfigInvalidError('unlock needs the lock from `engineconn lock`, or --force to break any lock.');
      process.stderr.write(flags.force && lock === undefined ? 'lock broken\n' : 'unlocked\n');
      return 0;
    }),
  );
}
