import type { Column, ResultSetWriter, TaskContext } from '@engineconn/core';

/**
 * Writes one result message of the driver (`show_table`, `show_html`, `show_image`, a trailing
 * expression) to the task. A table arrives in batches: returns the writer while more rows follow.
 */
export async function writeResult(
  task: TaskContext,
  openTable: ResultSetWriter | undefined,
  message: Record<string, unknown>,
): Promise<ResultSetWriter | undefined> {
  if (message.type === 'rows') {
    if (!openTable) return undefined;
    return appendRows(openTable, message);
  }
  if (message.type !== 'result') return openTable;
  await openTable?.close();
  switch (message.kind) {
    case 'TABLE': {
      const writer = await task.createResultSet({ type: 'TABLE', columns: columnsOf(message.columns) });
      return appendRows(writer, message);
    }
    case 'TEXT':
    case 'HTML': {
      const writer = await task.createResultSet({ type: message.kind });
      await writer.write(String(message.text ?? ''));
      await writer.close();
      return undefined;
    }
    case 'PICTURE': {
      const writer = await task.createResultSet({ type: 'PICTURE', mimeType: String(message.mime) });
      await writer.write(Buffer.from(String(message.data ?? ''), 'base64'));
      await writer.close();
      return undefined;
    }
    default:
      return undefined;
  }
}

async function appendRows(
  writer: ResultSetWriter,
  message: Record<string, unknown>,
): Promise<ResultSetWriter | undefined> {
  const rows = Array.isArray(message.rows) ? (message.rows as unknown[][]) : [];
  if (rows.length > 0) await writer.writeRows(rows);
  if (message.more === true) return writer;
  await writer.close();
  return undefined;
}

function columnsOf(value: unknown): Column[] {
  if (!Array.isArray(value)) return [];
  return value.map((column: { name?: unknown; type?: unknown }) => ({
    name: String(column.name),
    type: String(column.type),
  }));
}
