import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';
import { writeOut } from '../output/write-out.js';

export function registerKillCommand(program: Command): void {
  withClientFlags(program.command('kill').description('Kill a task').argument('<id>', 'the task id'))
    .option('--wait', 'wait until the task has stopped, and print its final status')
    .action((id: string, flags: ClientFlags & { wait?: boolean }) =>
      runClientCommand(async () => {
        const client = await createClient(flags);
        const answer = await client.kill(id);
        if (!flags.wait) {
          await writeOut(`${answer.id} ${answer.status} (kill requested)\n`);
          return 0;
        }
        const info = await client.handle(id).done;
        await writeOut(`${info.id} ${info.status}\n`);
        return 0;
      }),
    );
}
