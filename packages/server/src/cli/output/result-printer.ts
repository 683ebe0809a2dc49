import { BadRequestError, type ResultSetMeta } from '@engineconn/core';
import type { ResultSource } from './result-source.js';
import { TableWriter } from './table-writer.js';
import { writeOut } from './write-out.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'ndjson'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface PrintOptions {
  /**
   * Several sets in csv (or ndjson) go out one after another, a blank line between two, instead of
   * being refused: `engineconn once` prints every set of its job that way.
   */
  concatenate?: boolean;
}

/**
 * Prints one result set to stdout in `format`. TABLE sets are paged (table, json) or streamed (csv,
 * ndjson), and text is streamed, so a set of any size prints in bounded memory.
 */
export async function printResultSet(source: ResultSource, meta: ResultSetMeta, format: OutputFormat): Promise<void> {
  warnIfTruncated(meta);
  if (format === 'json') {
    await printJsonSet(source, meta);
    return;
  }
  if (meta.type === 'TABLE') {
    if (format === 'csv' || format === 'ndjson') {
      for await (const chunk of source.text(meta, format)) await writeOut(chunk);
      return;
    }
    const table = new TableWriter(meta.columns ?? [], writeOut);
    for await (const rows of source.rows(meta)) await table.page(rows);
    await table.end();
    return;
  }
  if (meta.type === 'TEXT' || meta.type === 'HTML') {
    let last = '';
    for await (const chunk of source.text(meta, 'csv')) {
      await writeOut(chunk);
      if (chunk) last = chunk;
    }
    if (!last.endsWith('\n')) await writeOut('\n');
    return;
  }
  const { mimeType, bytes } = await source.picture(meta);
  if (process.stdout.isTTY) {
    process.stderr.write(
      `(result set ${meta.index}: ${mimeType} image, ${bytes.length} bytes; redirect stdout to a file for its bytes, or use --format json)\n`,
    );
  } else {
    await writeOut(bytes);
  }
}

/**
 * One JSON object for a set, written as it is read: `{index, type, columns, rows}`, `{index, type,
 * text}` or `{index, type, mimeType, base64}`.
 */
async function printJsonSet(source: ResultSource, meta: ResultSetMeta): Promise<void> {
  const head = JSON.stringify({ index: meta.index, type: meta.type }).slice(0, -1);
  if (meta.type === 'TABLE') {
    await writeOut(`${head},"columns":${JSON.stringify(meta.columns ?? [])},"rows":[`);
    let first = true;
    for await (const rows of source.rowsJson(meta)) {
      if (rows === '') continue;
      await writeOut(`${first ? '' : ','}${rows}`);
      first = false;
    }
    await writeOut(']}');
    return;
  }
  if (meta.type === 'TEXT' || meta.type === 'HTML') {
    // The JSON string is written as the text streams in: each chunk escaped on its own.
    await writeOut(`${head},"text":"`);
    for await (const chunk of source.text(meta, 'csv')) await writeOut(JSON.stringify(chunk).slice(1, -1));
    await writeOut('"}');
    return;
  }
  const { mimeType, bytes } = await source.picture(meta);
  await writeOut(`${head},"mimeType":${JSON.stringify(mimeType)},"base64":"${Buffer.from(bytes).toString('base64')}"}`);
}

/** A set cut off by a kill or failure is exported, but never passed off as the whole result. */
export function warnIfTruncated(meta: ResultSetMeta): void {
  if (meta.truncated) {
    process.stderr.write(
      `engineconn: warning: result set ${meta.index} is truncated: the task ended before it was complete (${meta.type === 'TABLE' ? `${meta.rowCount} rows` : `${meta.byteCount} bytes`} written)\n`,
    );
  }
}

/** The sets as one JSON array (no line break after it, so a caller may wrap it in a document). */
export async function printJsonSets(source: ResultSource, sets: readonly ResultSetMeta[]): Promise<void> {
  await writeOut('[');
  for (const [i, meta] of sets.entries()) {
    if (i > 0) await writeOut(',');
    warnIfTruncated(meta);
    await printJsonSet(source, meta);
  }
  await writeOut(']');
}

/**
 * Prints several sets: tables separated by a blank line, JSON as one array. CSV and NDJSON hold one
 * table, so several sets are refused unless `concatenate` is given (or `--out` writes a file each).
 */
export async function printResultSets(
  source: ResultSource,
  sets: readonly ResultSetMeta[],
  format: OutputFormat,
  options: PrintOptions = {},
): Promise<void> {
  if (format === 'json') {
    await printJsonSets(source, sets);
    await writeOut('\n');
    return;
  }
  if ((format === 'csv' || format === 'ndjson') && sets.length > 1 && !options.concatenate) {
    throw new BadRequestError(
      `Task '${source.taskId}' has ${sets.length} result sets, and ${format} holds one table: pass --out DIR for one file per set (or --index N with engineconn results).`,
    );
  }
  for (const [i, meta] of sets.entries()) {
    if (i > 0 && format !== 'ndjson') await writeOut('\n');
    await printResultSet(source, meta, format);
  }
}
