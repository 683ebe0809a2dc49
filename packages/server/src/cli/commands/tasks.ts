import { type Column, ConfigInvalidError, TASK_STATUSES, type TaskInfo, type TaskStatus } from '@engineconn/core';
import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags, writeOut } from '../client/client-flags.js';
import { TableWriter } from '../client/table-writer.js';
import { parseIntegerFlag } from '../options.js';

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
    .option('--status <status>', `only tasks in this status (${TASK_STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many tasks (default: all)')
    .action((flags: ClientFlags & { json?: boolean; status?: string; limit?: string }) =>
      runClientCommand(async () => {
        if (flags.status !== undefined && !(TASK_STATUSES as readonly string[]).includes(flags.status)) {
          throw new ConfigInvalidError(`--status must be one of ${TASK_STATUSES.join(', ')}; got '${flags.status}'.`);
        }
        const max = flags.limit === undefined ? Number.POSITIVE_INFINITY : parseIntegerFlag(flags.limit, '--limit', 1);
        const client = await createClient(flags);
        // Read and printed a page at a time: a long list never sits whole in memory.
        const pages = async function* (): AsyncGenerator<TaskInfo[]> {
          let left = max;
          const status = flags.status as TaskStatus | undefined;
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
