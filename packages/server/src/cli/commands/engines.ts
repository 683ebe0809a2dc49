import type { Column } from '@engineconn/core';
import type { Command } from 'commander';
import { type ClientFlags, createManagerClient, runClientCommand } from '../client/client-flags.js';
import { TableWriter } from '../output/table-writer.js';
import { writeOut } from '../output/write-out.js';

const COLUMNS: Column[] = [
  { name: 'id', type: 'VARCHAR' },
  { name: 'user', type: 'VARCHAR' },
  { name: 'engine', type: 'VARCHAR' },
  { name: 'executor', type: 'VARCHAR' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'health', type: 'VARCHAR' },
  { name: 'running', type: 'INTEGER' },
  { name: 'queued', type: 'INTEGER' },
  { name: 'url', type: 'VARCHAR' },
  { name: 'last heartbeat', type: 'VARCHAR' },
];

/** `engineconn engines [--manager M]` (docs/manager.md): the engines a manager runs for you (admins: all). */
export function registerEnginesCommand(program: Command): void {
  program
    .command('engines')
    .description("List the engines a manager runs for you (an admin's token: everyone's)")
    .option('--manager <url>', 'the manager (env ENGINECONN_MANAGER, default http://127.0.0.1:7080)')
    .option('--token <token>', 'your bearer token for the manager (env ENGINECONN_TOKEN)')
    .option('--ca <file>', 'PEM certificate(s) to trust for an https:// manager (env ENGINECONN_CA)')
    .option('--json', 'print the raw list as JSON')
    .action((flags: ClientFlags & { manager?: string; json?: boolean }) =>
      runClientCommand(async () => {
        const engines = await (await createManagerClient(flags)).engines();
        if (flags.json) {
          await writeOut(`${JSON.stringify(engines, null, 2)}\n`);
          return 0;
        }
        const table = new TableWriter(COLUMNS, writeOut);
        await table.page(
          engines.map((e) => [
            e.id,
            e.user,
            e.engineType,
            e.executor,
            e.status === 'Lost' && e.lostReason ? `Lost (${e.lostReason})` : e.status,
            e.health,
            e.running,
            e.queued,
            e.url ?? '',
            e.lastHeartbeatAt ?? '',
          ]),
        );
        await table.end();
        return 0;
      }),
    );
}
