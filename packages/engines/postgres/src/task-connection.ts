import { escalateKill, type ResultSetWriter, type TaskContext } from '@engineconn/core';
import type pg from 'pg';
import { PortalQuery, type RowSink } from './portal-query.js';
import type { PostgresSession } from './postgres-session.js';

export interface StatementOutcome {
  tag: string;
  rows: number;
}

/** pg.Client carries the backend pid (BackendKeyData) but its typings do not declare it. */
function backendPid(client: pg.PoolClient): number {
  return (client as unknown as { processID: number }).processID;
}

/**
 * One task's hold on one pooled connection, from checkout to release. It owns the kill path for that
 * connection: a polite `pg_cancel_backend` from the control connection, then `pg_terminate_backend`
 * and finally a local socket teardown if the statement still has not stopped after `killGraceMs`. On
 * release it rolls back what the task left open and resets the session (DISCARD ALL), or throws the
 * connection away if that cannot be done cleanly, so nothing leaks into the next task.
 */
export class TaskConnection {
  readonly #session: PostgresSession;
  readonly #client: pg.PoolClient;
  readonly #task: TaskContext;
  readonly #pid: number;
  #serverBusy: () => boolean = () => false;
  #broken: Error | undefined;
  #cancelling: Promise<void> | undefined;
  #escalation: AbortController | undefined;
  readonly #onAbort = () => this.#kill();
  readonly #onError = (err: Error) => {
    this.#broken = err;
  };
  readonly #onNotice = (notice: { severity?: string; message?: string }) => {
    this.#task.log(`${notice.severity ?? 'NOTICE'}: ${notice.message ?? ''}`);
  };

  constructor(session: PostgresSession, client: pg.PoolClient, task: TaskContext) {
    this.#session = session;
    this.#client = client;
    this.#task = task;
    this.#pid = backendPid(client);
    client.on('error', this.#onError);
    client.on('notice', this.#onNotice);
    task.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  get pid(): number {
    return this.#pid;
  }

  get broken(): boolean {
    return this.#broken !== undefined;
  }

  /** Session settings for this task only (DISCARD ALL on release undoes them). */
  async applySettings(settings: Record<string, string>): Promise<void> {
    const names = Object.keys(settings);
    if (names.length === 0) return;
    await this.#tracked(
      this.#client.query('SELECT set_config(k, v, false) FROM unnest($1::text[], $2::text[]) AS s(k, v)', [
        names,
        Object.values(settings),
      ]),
    );
  }

  /** Runs one statement, streaming its rows into a TABLE result set or its command tag into a TEXT one. */
  async statement(text: string): Promise<StatementOutcome> {
    const { catalog, fetchRows } = this.#session;
    let writer: ResultSetWriter | undefined;
    let rows = 0;
    const sink: RowSink = async (fields, batch) => {
      if (!writer) {
        const types = fields.map((f) => ({ oid: f.dataTypeID, typmod: f.dataTypeModifier }));
        await catalog.resolve(types);
        writer = await this.#task.createResultSet({
          type: 'TABLE',
          columns: fields.map((f, i) => ({ name: f.name, type: catalog.name(types[i]!) })),
        });
      }
      if (batch.length === 0) return;
      const oids = fields.map((f) => f.dataTypeID);
      await writer.writeRows(batch.map((raw) => raw.map((value, i) => catalog.convert(oids[i]!, value))));
      rows += batch.length;
    };
    const portal = new PortalQuery(text, fetchRows, sink, this.#task.signal);
    this.#serverBusy = () => portal.serverBusy;
    try {
      this.#client.query(portal as unknown as pg.Submittable);
      const outcome = await portal.done;
      if (!outcome.fields) {
        const textSet = await this.#task.createResultSet({ type: 'TEXT' });
        await textSet.write(outcome.tag);
        await textSet.close();
      }
      return { tag: outcome.tag, rows };
    } finally {
      this.#serverBusy = () => false;
      this.#endEscalation();
      await writer?.close();
    }
  }

  async #tracked<T>(query: Promise<T>): Promise<T> {
    this.#serverBusy = () => true;
    try {
      return await query;
    } finally {
      this.#serverBusy = () => false;
      this.#endEscalation();
    }
  }

  #kill(): void {
    if (!this.#serverBusy()) return; // between statements or batches: the task loop stops by itself
    const grace = this.#task.killGraceMs;
    const pid = this.#pid;
    const log = (line: string) => this.#task.log(line);
    this.#session.logger.info({ taskId: this.#task.id, pid, at: Date.now() }, 'postgres kill requested');
    const escalation = new AbortController();
    this.#escalation = escalation;
    void escalateKill({
      steps: [
        {
          name: 'cancel',
          run: () => {
            log(`Kill: cancelling the running statement on backend ${pid} (pg_cancel_backend).`);
            this.#cancelling = this.#session.cancelBackend(pid).then(
              (sent) => {
                if (!sent) log(`Kill: backend ${pid} was no longer running a statement.`);
              },
              (err: unknown) => log(`Kill: pg_cancel_backend failed (${String(err)}); will terminate.`),
            );
          },
        },
        {
          name: 'terminate',
          run: () => {
            log(`Kill: the statement did not stop within ${grace} ms of the cancel; terminating backend ${pid}.`);
            this.#broken ??= new Error('backend terminated by kill');
            return this.#session.terminateBackend(pid);
          },
        },
        {
          name: 'close-socket',
          run: () => {
            log('Kill: the server did not end the connection; closing it from this side.');
            (this.#client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
          },
        },
      ],
      graceMs: grace,
      lastStepWaitMs: grace,
      stopped: () => !this.#serverBusy(),
      signal: escalation.signal,
      onStepError: (step, err) => {
        if (step === 'terminate') log(`Kill: pg_terminate_backend failed (${String(err)}).`);
      },
    });
  }

  /** Ends a kill's escalation: the statement it was for has ended, or the task let go of the connection. */
  #endEscalation(): void {
    this.#escalation?.abort();
    this.#escalation = undefined;
  }

  /** Marks the connection unusable (e.g. a lost connection) so release discards it. */
  markBroken(err: Error): void {
    this.#broken ??= err;
  }

  async release(): Promise<void> {
    this.#task.signal.removeEventListener('abort', this.#onAbort);
    this.#endEscalation();
    // A cancel still in flight could otherwise land on the next task's statement on this connection.
    await this.#cancelling;
    this.#client.removeListener('notice', this.#onNotice);
    try {
      if (this.#broken) throw this.#broken;
      const status = this.#client.getTransactionStatus();
      if (status === 'T' || status === 'E') {
        this.#task.log(
          status === 'E'
            ? 'Rolling back the failed transaction.'
            : 'The task left a transaction open; it was rolled back (COMMIT explicitly to keep changes).',
        );
        await this.#client.query('ROLLBACK');
      }
      await this.#client.query('DISCARD ALL');
      this.#client.removeListener('error', this.#onError);
      this.#client.release();
    } catch (err) {
      this.#client.removeListener('error', this.#onError);
      // Passing an error makes the pool destroy this connection instead of reusing it.
      this.#client.release(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
