import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultSetMeta } from '@engineconn/core';
import type { OutputFormat } from './result-printer.js';
import { warnIfTruncated } from './result-printer.js';
import type { ResultSource } from './result-source.js';

const EXTENSIONS: Record<string, string> = { TEXT: 'txt', HTML: 'html', PICTURE: 'bin' };

/**
 * `--out DIR`: writes each set to `DIR/<task>-<index>.<ext>` (csv, or ndjson with `--format ndjson`,
 * for a TABLE) and lists the files on stderr.
 */
export async function writeResultFiles(
  source: ResultSource,
  sets: readonly ResultSetMeta[],
  format: OutputFormat,
  outDir: string,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const meta of sets) {
    warnIfTruncated(meta);
    const tableFormat = format === 'ndjson' ? 'ndjson' : 'csv';
    const ext = meta.type === 'TABLE' ? tableFormat : (EXTENSIONS[meta.type] ?? 'bin');
    const file = join(outDir, `${source.taskId}-${meta.index}.${ext}`);
    const out = createWriteStream(file);
    const write = (chunk: string | Uint8Array) =>
      out.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
    try {
      if (meta.type === 'PICTURE') await write((await source.picture(meta)).bytes);
      else for await (const chunk of source.text(meta, tableFormat)) await write(chunk);
    } finally {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    process.stderr.write(`engineconn: result set ${meta.index} (${meta.type}) written to ${file}\n`);
  }
}
