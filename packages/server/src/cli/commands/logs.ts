import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';
import { wholeNumber } from '../flags/flag-values.js';
import { forTerminal } from '../output/terminal-text.js';
import { writeOut } from '../output/write-out.js';

export function registerLogsCommand(program: Command): void {
  withClientFlags(program.command('logs').description("Print a task's log").argument('<id>', 'the task id'))
    .option('-f, --follow', 'keep printing new lines until the task ends')
    .option('--from <line>', 'start at this line (0-based)', wholeNumber(0), 0)
    .action((id: string, flags: ClientFlags & { follow?: boolean; from: number }) =>
      runClientCommand(async () => {
        const { from } = flags;
        const follow = flags.follow === true;
        // Following, each line goes out as it comes; reading a finished log, lines go out in batches.
        const batchSize = follow ? 1 : 500;
        let batch: string[] = [];
        for await (const line of (await createClient(flags)).followLogs(id, { from, follow })) {
          batch.push(line);
          if (batch.length >= batchSize) {
            await writeOut(`${batch.map((l) => forTerminal(process.stdout, l)).join('\n')}\n`);
            batch = [];
          }
        }
        if (batch.length > 0) await writeOut(`${batch.map((l) => forTerminal(process.stdout, l)).join('\n')}\n`);
        return 0;
      }),
    );
}
