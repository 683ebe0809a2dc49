import { bytesCell, floatCell, integerCell } from '@engineconn/core/values';
import Database from 'better-sqlite3';
import { BATCH_WINDOW, type ChildMessage, type ParentMessage } from './protocol.js';

// The process that owns the SQLite database. better-sqlite3 is synchronous and has no interrupt API,
// and a long query runs entirely inside native sqlite3_step(), where neither the event loop nor a
// worker thread's terminate() can reach it. A separate process can always be stopped (SIGKILL).

function send(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * A SQLite value as its cell (docs/api.md), here, before the IPC channel's JSON would turn -0.0 into 0:
 * INTEGER exact (a number within ±(2^53 − 1), else digits), REAL with -0 and ±Infinity as strings,
 * BLOB base64, TEXT as it is.
 */
function cell(value: unknown): unknown {
  if (typeof value === 'bigint') return integerCell(value);
  if (typeof value === 'number') return floatCell(value);
  if (value instanceof Uint8Array) return bytesCell(value);
  return value;
}

/** SQLite's storage class of a value, for columns that have no declared type (expressions). */
function storageClass(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return 'INTEGER';
  if (typeof value === 'number') return 'REAL';
  if (typeof value === 'string') return 'TEXT';
  return 'BLOB';
}

let db: Database.Database;
try {
  db = new Database(process.argv[2] ?? ':memory:');
} catch (err) {
  send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

let acked = 0;
let wake: (() => void) | undefined;

async function run(id: number, sql: string, batchRows: number): Promise<void> {
  const stmt = db.prepare(sql);
  if (!stmt.reader) {
    const result = stmt.run();
    send({
      type: 'done',
      id,
      reader: false,
      changes: result.changes,
      lastInsertRowid: integerCell(result.lastInsertRowid as bigint | number),
    });
    return;
  }
  stmt.safeIntegers(true);
  stmt.raw(true);
  const declared = stmt.columns();
  let sent = 0;
  acked = 0;
  let batch: unknown[][] = [];
  let columnsSent = false;
  const flush = async (): Promise<void> => {
    if (!columnsSent) {
      const columns = declared.map((c, i) => ({
        name: c.name,
        type: c.type ?? batch.map((row) => storageClass(row[i])).find(Boolean) ?? 'NULL',
      }));
      send({ type: 'columns', id, columns });
      columnsSent = true;
    }
    if (batch.length === 0) return;
    send({ type: 'rows', id, rows: batch.map((row) => row.map(cell)) });
    batch = [];
    sent++;
    while (sent - acked >= BATCH_WINDOW) await new Promise<void>((resolve) => (wake = resolve));
  };
  for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    if (batch.length >= batchRows) await flush();
  }
  await flush();
  send({ type: 'done', id, reader: true, changes: 0, lastInsertRowid: 0 });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'ack') {
    acked++;
    wake?.();
  } else if (message.type === 'run') {
    run(message.id, message.sql, message.batchRows).catch((err: unknown) => {
      const e = err as { message?: unknown; code?: unknown };
      send({
        type: 'error',
        id: message.id,
        message: typeof e.message === 'string' ? e.message : String(err),
        ...(typeof e.code === 'string' ? { code: e.code } : {}),
      });
    });
  } else if (message.type === 'close') {
    db.close();
    process.exit(0);
  }
});
// The parent went away without closing: nothing else will ever talk to this database.
process.on('disconnect', () => {
  db.close();
  process.exit(0);
});

send({ type: 'ready', version: String(db.prepare('SELECT sqlite_version()').pluck().get()) });
