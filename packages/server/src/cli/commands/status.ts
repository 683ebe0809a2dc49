import type { Command } from 'commander';
import { type ClientFlags, createClient, runClientCommand, withClientFlags } from '../client/client-flags.js';
import { writeOut } from '../output/write-out.js';

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

export function registerStatusCommand(program: Command): void {
  withClientFlags(program.command('status').description("Show an EngineConn's status, health, labels and load"))
    .option('--json', 'print the raw GET /api/v1/engineconn answer')
    .action((flags: ClientFlags & { json?: boolean }) =>
      runClientCommand(async () => {
        const info = await (await createClient(flags)).info();
        if (flags.json) {
          await writeOut(`${JSON.stringify(info, null, 2)}\n`);
          return 0;
        }
        const labels = Object.entries(info.labels).map(([k, v]) => `${k}=${v}`);
        const rows: [string, string][] = [
          ['id', info.id],
          ['url', info.url ?? ''],
          ['engine', `${info.engineType} ${info.engineVersion}`],
          ['executor', info.executor],
          ['status', info.status],
          ['health', info.health],
          ['owner', info.owner],
          [
            'tasks',
            `${info.concurrency.running} running, ${info.concurrency.queued} queued, limit ${info.concurrency.limit}`,
          ],
          ['memory', `${mib(info.overload.usedMemory)} of ${mib(info.overload.maxMemory)}`],
          ['cpu', `${Math.round(info.overload.systemCpuUsed * 100)}%`],
          ['labels', labels.join(', ')],
          ['started', info.startedAt],
          ['last activity', info.lastActivityAt],
          ['pid', String(info.pid)],
        ];
        const width = Math.max(...rows.map(([k]) => k.length));
        await writeOut(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
        return 0;
      }),
    );
}
