import { EngineConnError } from '@engineconn/core';
import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';
import { parseFormat, printResultSet, printResultSets } from '../client/result-printer.js';
import { parseIntegerFlag } from '../options.js';

export function registerResultsCommand(program: Command): void {
  withClientFlags(program.command('results').description("Print a task's result sets").argument('<id>', 'the task id'))
    .option('--index <n>', 'only this result set (0-based)')
    .option('--format <format>', 'table | csv | json | ndjson (csv and ndjson stream the whole set)', 'table')
    .option('--out <dir>', 'write each result set to its own file in DIR instead of stdout')
    .action((id: string, flags: ClientFlags & { index?: string; format: string; out?: string }) =>
      runClientCommand(async () => {
        const format = parseFormat(flags.format);
        const client = await createClient(flags);
        const sets = await client.results(id);
        if (flags.index === undefined) {
          await printResultSets(client, id, sets, format, [], flags.out);
          return 0;
        }
        const index = parseIntegerFlag(flags.index, '--index', 0);
        const meta = sets.find((set) => set.index === index);
        if (!meta) {
          throw new EngineConnError(
            'EC_RESULT_NOT_FOUND',
            `Task '${id}' has no result set ${index}; it has ${sets.length} (indexes 0 to ${sets.length - 1}).`,
          );
        }
        if (flags.out !== undefined) await printResultSets(client, id, [meta], format, [], flags.out);
        else await printResultSet(client, id, meta, format);
        if (format === 'json') process.stdout.write('\n');
        return 0;
      }),
    );
}
