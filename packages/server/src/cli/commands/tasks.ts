import { type Column, TASK_STATUSES, type TaskInfo, type TaskStatus } from '@engineconn/core';
import { type Command, Option } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';
import { wholeNumber } from '../flags/flag-values.js';
import { TableWriter } from '../output/table-writer.js';
import { writeOut } from '../output/write-out.js';

const COLUMNS: Column[] = [
  { name: 'id', type: 'VARCHAR' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'progress', type: 'VARCHAR' },
  { name: 'run type', type: 'VARCHAR' },
  { name: 'owner', type: 'VARCHAR' },
  { name: 'created', type: 'VARCHAR' },
  { name: 'took', type: 'VARCHAR' },
  { name: 'results', type: 'INTEGER' },
];

function took(startedAt: string | null, finishedAt: string | null): string {
  if (!startedAt) return '';
  const ms = (finishedAt ? Date.parse(finishedAt) : Date.now()) - Date.parse(startedAt);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function registerTasksCommand(program: Command): void {
  withClientFlags(program.command('tasks').description('List your tasks on an EngineConn, newest first'))
    .option('--json', 'print the list as a JSON array')
    .addOption(new Option('--status <status>', 'only tasks in this status').choices(TASK_STATUSES))
    .option('--limit <n>', 'at most this many tasks (default: all)', wholeNumber(1))
    .action((flags: ClientFlags & { json?: boolean; status?: TaskStatus; limit?: number }) =>
      runClientCommand(async () => {
        const max = flags.limit ?? Number.POSITIVE_INFINITY;
        const client = await createClient(flags);
        // Read and printed a page at a time: a long list never sits whole in memory.
        const pages = async function* (): AsyncGenerator<TaskInfo[]> {
          let left = max;
          const { status } = flags;
          for await (const page of client.taskPages({ limit: Math.min(100, left), ...(status ? { status } : {}) })) {
            yield page.slice(0, left);
            left -= page.length;
            if (left <= 0) return;
          }
        };
        if (flags.json) {
          let first = true;
          await writeOut('[');
          for await (const page of pages()) {
            for (const task of page) {
              await writeOut(`${first ? '\n' : ',\n'}${JSON.stringify(task)}`);
              first = false;
            }
          }
          await writeOut(first ? ']\n' : '\n]\n');
          return 0;
        }
        const table = new TableWriter(COLUMNS, writeOut);
        for await (const tasks of pages()) {
          await table.page(
            tasks.map((t) => [
              t.id,
              t.status,
              `${Math.round(t.progress * 100)}%`,
              t.runType,
              t.owner,
              t.createdAt,
              took(t.startedAt, t.finishedAt),
              t.resultSets.length,
            ]),
          );
        }
        await table.end();
        return 0;
      }),
    );
}
