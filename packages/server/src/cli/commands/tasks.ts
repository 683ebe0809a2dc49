import type { Column } from '@engineconn/core';
import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags, writeOut } from '../client/client-flags.js';
import { TableWriter } from '../client/table-writer.js';

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
    .option('--json', 'print the raw list as JSON')
    .action((flags: ClientFlags & { json?: boolean }) =>
      runClientCommand(async () => {
        const tasks = await (await createClient(flags)).tasks();
        if (flags.json) {
          await writeOut(`${JSON.stringify(tasks, null, 2)}\n`);
          return 0;
        }
        const table = new TableWriter(COLUMNS, writeOut);
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
        await table.end();
        return 0;
      }),
    );
}
