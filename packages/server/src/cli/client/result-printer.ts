import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineConnClient, InlineResult, TablePage } from '@engineconn/client';
import { BadRequestError, type ResultSetMeta } from '@engineconn/core';
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

/** The inline first page of result set `index`, if a one-request answer carried one. */
export function firstPage(inline: readonly InlineResult[], index: number): InlineResult | undefined {
  return inline.find((page) => page.index === index);
}

/** A TABLE's pages: the inline first page (when there is one), then the rest from the server. */
async function* tablePages(
  client: EngineConnClient,
  taskId: string,
  meta: ResultSetMeta,
  first: InlineResult | undefined,
): AsyncGenerator<Pick<TablePage, 'rows'>> {
  if (!first?.rows) {
    yield* client.resultPages(taskId, meta.index);
    return;
  }
  yield { rows: first.rows };
  if (first.next !== null) yield* client.resultPages(taskId, meta.index, { offset: first.next });
}

/**
 * A TEXT / HTML set's text in chunks: inline when the first page was all of it, else streamed from
 * the server (`format=raw`), so a text of any size prints in bounded memory.
 */
async function* textChunks(
  client: EngineConnClient,
  taskId: string,
  meta: ResultSetMeta,
  first: InlineResult | undefined,
): AsyncGenerator<string> {
  if (first?.text !== undefined && first.next === null) {
    yield first.text;
    return;
  }
  yield* client.streamResult(taskId, meta.index, 'raw');
}

/**
 * Prints one result set to stdout in `format`. TABLE sets are paged (table, json) or streamed by the
 * server (csv, ndjson), so a set of any size prints in bounded memory. `first` is the set's inline
 * first page from a one-request answer: what it holds is not fetched again.
 */
export async function printResultSet(
  client: EngineConnClient,
  taskId: string,
  meta: ResultSetMeta,
  format: OutputFormat,
  first?: InlineResult,
): Promise<void> {
  warnIfTruncated(meta);
  if (format === 'json') {
    await printJson(client, taskId, meta, first);
    return;
  }
  if (meta.type === 'TABLE') {
    if (format === 'csv' || format === 'ndjson') {
      for await (const chunk of client.streamResult(taskId, meta.index, format)) await writeOut(chunk);
      return;
    }
    const table = new TableWriter(meta.columns ?? [], writeOut);
    for await (const page of tablePages(client, taskId, meta, first)) await table.page(page.rows);
    await table.end();
    return;
  }
  if (meta.type === 'TEXT' || meta.type === 'HTML') {
    let last = '';
    for await (const chunk of textChunks(client, taskId, meta, first)) {
      await writeOut(chunk);
      if (chunk) last = chunk;
    }
    if (!last.endsWith('\n')) await writeOut('\n');
    return;
  }
  const page = await client.resultPage(taskId, meta.index);
  if (page.kind === 'binary') {
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
async function printJson(
  client: EngineConnClient,
  taskId: string,
  meta: ResultSetMeta,
  inline: InlineResult | undefined,
): Promise<void> {
  const head = { index: meta.index, type: meta.type };
  if (meta.type === 'TABLE') {
    await writeOut(`${JSON.stringify(head).slice(0, -1)},"columns":${JSON.stringify(meta.columns ?? [])},"rows":[`);
    let first = true;
    for await (const page of tablePages(client, taskId, meta, inline)) {
      if (page.rows.length === 0) continue;
      await writeOut(`${first ? '' : ','}${page.rows.map((row) => JSON.stringify(row)).join(',')}`);
      first = false;
    }
    await writeOut(']}');
    return;
  }
  if (meta.type === 'TEXT' || meta.type === 'HTML') {
    // The JSON string is written as the text streams in: each chunk escaped on its own.
    await writeOut(`${JSON.stringify(head).slice(0, -1)},"text":"`);
    for await (const chunk of textChunks(client, taskId, meta, inline))
      await writeOut(JSON.stringify(chunk).slice(1, -1));
    await writeOut('"}');
    return;
  }
  const page = await client.resultPage(taskId, meta.index);
  if (page.kind === 'binary') {
    await writeOut(
      JSON.stringify({ ...head, mimeType: page.mimeType, base64: Buffer.from(page.bytes).toString('base64') }),
    );
  }
}

/** A set cut off by a kill or failure is exported, but never passed off as the whole result. */
function warnIfTruncated(meta: ResultSetMeta): void {
  if (meta.truncated) {
    process.stderr.write(
      `engineconn: warning: result set ${meta.index} is truncated: the task ended before it was complete (${meta.type === 'TABLE' ? `${meta.rowCount} rows` : `${meta.byteCount} bytes`} written)\n`,
    );
  }
}

/**
 * Prints several sets: tables separated by a blank line, JSON as one array. CSV and NDJSON hold one
 * table, so several sets are refused unless `outDir` is given: then each set goes to its own file.
 */
export async function printResultSets(
  client: EngineConnClient,
  taskId: string,
  sets: readonly ResultSetMeta[],
  format: OutputFormat,
  inline: readonly InlineResult[] = [],
  outDir?: string,
): Promise<void> {
  if (outDir !== undefined) {
    await writeResultFiles(client, taskId, sets, format, outDir);
    return;
  }
  if ((format === 'csv' || format === 'ndjson') && sets.length > 1) {
    throw new BadRequestError(
      `Task '${taskId}' has ${sets.length} result sets, and ${format} holds one table: pass --out DIR for one file per set (or --index N with engineconn results).`,
    );
  }
  if (format === 'json') await writeOut('[');
  for (const [i, meta] of sets.entries()) {
    if (i > 0) await writeOut(format === 'json' ? ',' : format === 'ndjson' ? '' : '\n');
    await printResultSet(client, taskId, meta, format, firstPage(inline, meta.index));
  }
  if (format === 'json') await writeOut(']\n');
}

const EXTENSIONS: Record<string, string> = { TEXT: 'txt', HTML: 'html', PICTURE: 'bin' };

/** Writes each set to `DIR/<task>-<index>.<ext>` (csv or ndjson for a TABLE) and lists the files on stderr. */
async function writeResultFiles(
  client: EngineConnClient,
  taskId: string,
  sets: readonly ResultSetMeta[],
  format: OutputFormat,
  outDir: string,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const meta of sets) {
    warnIfTruncated(meta);
    const tableFormat = format === 'ndjson' ? 'ndjson' : 'csv';
    const ext = meta.type === 'TABLE' ? tableFormat : (EXTENSIONS[meta.type] ?? 'bin');
    const file = join(outDir, `${taskId}-${meta.index}.${ext}`);
    const out = createWriteStream(file);
    const write = (chunk: string | Uint8Array) =>
      out.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
    try {
      if (meta.type === 'TABLE') {
        for await (const chunk of client.streamResult(taskId, meta.index, tableFormat)) await write(chunk);
      } else if (meta.type === 'TEXT' || meta.type === 'HTML') {
        for await (const chunk of client.streamResult(taskId, meta.index, 'raw')) await write(chunk);
      } else {
        const page = await client.resultPage(taskId, meta.index);
        if (page.kind === 'binary') await write(page.bytes);
      }
    } finally {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    process.stderr.write(`engineconn: result set ${meta.index} (${meta.type}) written to ${file}\n`);
  }
}
