import type { Column } from '@engineconn/core';

/** Parent → child. One statement at a time; `ack` releases the child to send the next batch. */
export type ParentMessage =
  | { type: 'run'; id: number; sql: string; batchRows: number }
  | { type: 'ack'; id: number }
  | { type: 'close' };

/** Child → parent. Values in `rows` are already JSON-safe. */
export type ChildMessage =
  | { type: 'ready'; version: string }
  | { type: 'fatal'; message: string }
  | { type: 'columns'; id: number; columns: Column[] }
  | { type: 'rows'; id: number; rows: unknown[][] }
  | { type: 'done'; id: number; reader: boolean; changes: number; lastInsertRowid: number | string }
  | { type: 'error'; id: number; message: string; code?: string };

/** How many row batches the child may send ahead of the parent's acks. */
export const BATCH_WINDOW = 2;
