import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';
import { durationMs } from '../flags/flag-values.js';
import { writeOut } from '../output/write-out.js';

export function registerLockCommand(program: Command): void {
  withClientFlags(
    program
      .command('lock')
      .description("Take the EngineConn's lock; prints the lock to pass to `submit --lock` and `unlock`"),
  )
    .option(
      '--timeout <duration>',
      'how long the lock lasts, e.g. 10m (default: the EngineConn ec.lock.timeout)',
      durationMs,
    )
    .action((flags: ClientFlags & { timeout?: number }) =>
      runClientCommand(async () => {
        const grant = await (await createClient(flags)).lock(flags.timeout);
        await writeOut(`${grant.lock}\n`);
        process.stderr.write(`lock held until ${grant.expiresAt}\n`);
        if (!grant.enforced) {
          process.stderr.write('note: this EngineConn runs tasks concurrently and does not enforce locks\n');
        }
        return 0;
      }),
    );
}
