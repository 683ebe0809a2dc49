import type { EngineConnClient } from '@engineconn/client';
import type { ResultSetMeta } from '@engineconn/core';
import { writeOut } from './client-flags.js';
import { TableWriter } from './table-writer.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'ndjson'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseFormat(value: string, allowed: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`--format must be one of ${allowed.join(', ')}; got '${value}'.`);
  }
  return value as OutputFormat;
}

/**
 * Prints one result set to stdout in `format`. TABLE sets are paged (table, json) or streamed by the
 * server (csv, ndjson), so a set of any size prints in bounded memory.
 */
export async function printResultSet(
  client: EngineConnClient,
  taskId: string,
  meta: ResultSetMeta,
  format: OutputFormat,
): Promise<void> {
  if (format === 'json') {
    await printJson(client, taskId, meta);
    return;
  }
  if (meta.type === 'TABLE') {
    if (format === 'csv' || format === 'ndjson') {
      for await (const chunk of client.streamResult(taskId, meta.index, format)) await writeOut(chunk);
      return;
    }
    const table = new TableWriter(meta.columns ?? [], writeOut);
    for await (const page of client.resultPages(taskId, meta.index)) await table.page(page.rows);
    await table.end();
    return;
  }
  const page = await client.resultPage(taskId, meta.index);
  if (page.kind === 'text') {
    await writeOut(page.text.endsWith('\n') ? page.text : `${page.text}\n`);
  } else if (page.kind === 'binary') {
    if (process.stdout.isTTY) {
      process.stderr.write(
        `(result set ${meta.index}: ${page.mimeType} image, ${page.bytes.length} bytes; redirect it: engineconn results ${taskId} --index ${meta.index} > image)\n`,
      );
    } else {
      await writeOut(page.bytes);
    }
  }
}

/** One JSON object per set: `{index, type, columns, rows}`, `{index, type, text}` or `{index, type, mimeType, base64}`. */
async function printJson(client: EngineConnClient, taskId: string, meta: ResultSetMeta): Promise<void> {
  const head = { index: meta.index, type: meta.type };
  if (meta.type === 'TABLE') {
    await writeOut(`${JSON.stringify(head).slice(0, -1)},"columns":${JSON.stringify(meta.columns ?? [])},"rows":[`);
    let first = true;
    for await (const page of client.resultPages(taskId, meta.index)) {
      if (page.rows.length === 0) continue;
      await writeOut(`${first ? '' : ','}${page.rows.map((row) => JSON.stringify(row)).join(',')}`);
      first = false;
    }
    await writeOut(']}');
    return;
  }
  const page = await client.resultPage(taskId, meta.index);
  if (page.kind === 'text') await writeOut(JSON.stringify({ ...head, text: page.text }));
  else if (page.kind === 'binary') {
    await writeOut(
      JSON.stringify({ ...head, mimeType: page.mimeType, base64: Buffer.from(page.bytes).toString('base64') }),
    );
  }
}

/** Prints several sets: tables separated by a blank line, JSON as one array. */
export async function printResultSets(
  client: EngineConnClient,
  taskId: string,
  sets: readonly ResultSetMeta[],
  format: OutputFormat,
): Promise<void> {
  if (format === 'json') await writeOut('[');
  for (const [i, meta] of sets.entries()) {
    if (i > 0) await writeOut(format === 'json' ? ',' : format === 'ndjson' ? '' : '\n');
    await printResultSet(client, taskId, meta, format);
  }
  if (format === 'json') await writeOut(']\n');
}
