import { parseDuration } from '@engineconn/core';
import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags, writeOut } from '../client/client-flags.js';

export function registerLockCommand(program: Command): void {
  withClientFlags(
    program
      .command('lock')
      .description("Take the EngineConn's lock; prints the lock to pass to `submit --lock` and `unlock`"),
  )
    .option('--timeout <duration>', 'how long the lock lasts, e.g. 10m (default: the EngineConn ec.lock.timeout)')
    .action((flags: ClientFlags & { timeout?: string }) =>
      runClientCommand(async () => {
        const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout, '--timeout');
        const grant = await (await createClient(flags)).lock(timeoutMs);
        await writeOut(`${grant.lock}\n`);
        process.stderr.write(`lock held until ${grant.expiresAt}\n`);
        if (!grant.enforced) {
          process.stderr.write('note: this EngineConn runs tasks concurrently and does not enforce locks\n');
        }
        return 0;
      }),
    );
}
