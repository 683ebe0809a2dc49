import type { ResultSetWriter, TaskContext } from '@engineconn/core';
import type { ResultMessage } from './driver-protocol.js';

/**
 * Writes one result message of the driver (`show_table`, `show_html`, `show_image`, a trailing
 * expression) to the task. A table arrives in batches: returns the writer while more rows follow.
 */
export async function writeResult(
  task: TaskContext,
  openTable: ResultSetWriter | undefined,
  message: ResultMessage,
): Promise<ResultSetWriter | undefined> {
  if (message.type === 'rows') {
    if (!openTable) return undefined;
    return appendRows(openTable, message.rows, message.more);
  }
  await openTable?.close();
  switch (message.kind) {
    case 'TABLE': {
      const writer = await task.createResultSet({ type: 'TABLE', columns: message.columns });
      return appendRows(writer, message.rows, message.more);
    }
    case 'TEXT':
    case 'HTML': {
      const writer = await task.createResultSet({ type: message.kind });
      await writer.write(message.text);
      await writer.close();
      return undefined;
    }
    case 'PICTURE': {
      const writer = await task.createResultSet({ type: 'PICTURE', mimeType: message.mime });
      await writer.write(Buffer.from(message.data, 'base64'));
      await writer.close();
      return undefined;
    }
  }
}

async function appendRows(
  writer: ResultSetWriter,
  rows: unknown[][],
  more: boolean,
): Promise<ResultSetWriter | undefined> {
  if (rows.length > 0) await writer.writeRows(rows);
  if (more) return writer;
  await writer.close();
  return undefined;
}
