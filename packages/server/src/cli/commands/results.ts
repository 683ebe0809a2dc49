import { EngineConnError } from '@engineconn/core';
import { type Command, Option } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';
import { wholeNumber } from '../flags/flag-values.js';
import { writeResultFiles } from '../output/result-files.js';
import { OUTPUT_FORMATS, type OutputFormat, printResultSet, printResultSets } from '../output/result-printer.js';
import { clientResultSource } from '../output/result-source.js';

interface ResultsFlags extends ClientFlags {
  index?: number;
  format: OutputFormat;
  out?: string;
}

export function registerResultsCommand(program: Command): void {
  withClientFlags(program.command('results').description("Print a task's result sets").argument('<id>', 'the task id'))
    .option('--index <n>', 'only this result set (0-based)', wholeNumber(0))
    .addOption(
      new Option('--format <format>', 'csv and ndjson stream the whole set').choices(OUTPUT_FORMATS).default('table'),
    )
    .option('--out <dir>', 'write each result set to its own file in DIR instead of stdout')
    .action((id: string, flags: ResultsFlags) =>
      runClientCommand(async () => {
        const { format, index } = flags;
        const client = await createClient(flags);
        const source = clientResultSource(client, id);
        const sets = await client.results(id);
        const chosen = index === undefined ? sets : sets.filter((set) => set.index === index);
        if (index !== undefined && chosen.length === 0) {
          throw new EngineConnError(
            'EC_RESULT_NOT_FOUND',
            `Task '${id}' has no result set ${index}; it has ${sets.length} (indexes 0 to ${sets.length - 1}).`,
          );
        }
        if (flags.out !== undefined) await writeResultFiles(source, chosen, format, flags.out);
        else if (index === undefined) await printResultSets(source, chosen, format);
        else {
          await printResultSet(source, chosen[0] as (typeof chosen)[number], format);
          if (format === 'json') process.stdout.write('\n');
        }
        return 0;
      }),
    );
}
