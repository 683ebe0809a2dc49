import pg from 'pg';

/** The parts of pg's wire connection this query drives (pg/lib/connection.js). */
interface WireConnection {
  parse(msg: { text: string; name: string; types: number[] }): void;
  bind(msg: { portal: string; statement: string; values: unknown[] }): void;
  describe(msg: { type: 'P'; name: string }): void;
  execute(msg: { portal: string; rows: number }): void;
  close(msg: { type: 'P'; name: string }): void;
  flush(): void;
  sync(): void;
  sendCopyFail(message: string): void;
  once(event: 'readyForQuery' | 'end', listener: () => void): unknown;
  removeListener(event: 'readyForQuery' | 'end', listener: () => void): unknown;
  stream?: { cork?(): void; uncork?(): void };
}

export interface PortalField {
  name: string;
  dataTypeID: number;
  /** The type modifier, e.g. the precision and scale of `numeric(38,10)`; -1 for none. */
  dataTypeModifier: number;
}

export type RawRow = (string | null)[];

export interface PortalOutcome {
  /** The command tag, e.g. `SELECT 3`, `INSERT 0 1`, `CREATE TABLE`. */
  tag: string;
  /** Row description when the statement returns rows (even zero of them), else null. */
  fields: PortalField[] | null;
}

/** Receives rows in batches of at most `batchRows`; the next batch is not fetched before it settles. */
export type RowSink = (fields: PortalField[], rows: RawRow[]) => Promise<void>;

/** Thrown when the signal aborted while the portal was suspended (no query running on the server). */
export class PortalAbortedError extends Error {
  constructor() {
    super('The statement was stopped between row batches.');
    this.name = 'PortalAbortedError';
  }
}

type State = 'new' | 'running' | 'suspended' | 'syncing' | 'failed' | 'settled';

/**
 * One SQL statement run through the extended protocol with a row limit per Execute (a pg Submittable,
 * the technique pg-cursor uses): rows arrive `batchRows` at a time, and the next Execute is sent only
 * after the sink has taken the previous batch, so a huge result never sits in memory and the server
 * waits (portal suspended) while the result is written. Anything that is not a row-returning statement
 * runs to completion on the first Execute and reports its command tag.
 */
export class PortalQuery {
  readonly done: Promise<PortalOutcome>;
  readonly #text: string;
  readonly #batchRows: number;
  readonly #sink: RowSink;
  readonly #signal: AbortSignal;
  #state: State = 'new';
  #fields: PortalField[] | null = null;
  #rows: RawRow[] = [];
  #delivered = false;
  #tag = '';
  #failure: unknown;
  #resolve!: (outcome: PortalOutcome) => void;
  #reject!: (err: unknown) => void;

  constructor(text: string, batchRows: number, sink: RowSink, signal: AbortSignal) {
    this.#text = text;
    this.#batchRows = batchRows;
    this.#sink = sink;
    this.#signal = signal;
    this.done = new Promise<PortalOutcome>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** True while the server holds this statement: it runs, commits, or has failed and not yet synced. */
  get serverBusy(): boolean {
    return this.#state === 'running' || this.#state === 'syncing' || this.#state === 'failed';
  }

  // ---- pg's Submittable protocol: called by pg.Client with the connection ----

  submit(connection: unknown): void {
    const con = connection as WireConnection;
    this.#state = 'running';
    con.stream?.cork?.();
    try {
      con.parse({ text: this.#text, name: '', types: [] });
      con.bind({ portal: '', statement: '', values: [] });
      con.describe({ type: 'P', name: '' });
      con.execute({ portal: '', rows: this.#batchRows });
      con.flush();
    } finally {
      con.stream?.uncork?.();
    }
  }

  handleRowDescription(msg: { fields: PortalField[] }): void {
    this.#fields = msg.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      dataTypeModifier: f.dataTypeModifier,
    }));
  }

  handleDataRow(msg: { fields: RawRow }): void {
    this.#rows.push(msg.fields);
  }

  handlePortalSuspended(connection: unknown): void {
    const con = connection as WireConnection;
    this.#state = 'suspended';
    this.#deliver().then(
      () => {
        if (this.#state !== 'suspended') return;
        if (this.#signal.aborted) {
          this.#closePortal(con, new PortalAbortedError());
        } else {
          this.#state = 'running';
          con.execute({ portal: '', rows: this.#batchRows });
          con.flush();
        }
      },
      (err: unknown) => {
        if (this.#state === 'suspended') this.#closePortal(con, err);
      },
    );
  }

  handleCommandComplete(msg: { text: string }, connection: unknown): void {
    this.#tag = msg.text;
    this.#state = 'syncing';
    (connection as WireConnection).sync();
  }

  handleEmptyQuery(connection: unknown): void {
    this.#state = 'syncing';
    (connection as WireConnection).sync();
  }

  handleCopyInResponse(connection: unknown): void {
    (connection as WireConnection).sendCopyFail('COPY FROM STDIN is not supported by this engine');
  }

  handleCopyData(): void {
    // COPY TO STDOUT data has no result-set shape here; the command tag still reports the row count.
  }

  handleError(err: unknown, connection: unknown): void {
    const con = connection as WireConnection;
    const wasSyncing = this.#state === 'syncing';
    this.#state = 'failed';
    if (err instanceof pg.DatabaseError && err.severity !== 'FATAL' && err.severity !== 'PANIC') {
      // The server skips everything up to the next Sync after an error; wait for its ReadyForQuery so
      // the transaction status is current when the caller decides whether to roll back. A connection
      // that ends instead (terminated backend) settles it too.
      if (!wasSyncing) con.sync();
      const settle = () => {
        con.removeListener('readyForQuery', settle);
        con.removeListener('end', settle);
        this.#settle(err);
      };
      con.once('readyForQuery', settle);
      con.once('end', settle);
    } else {
      // FATAL (e.g. pg_terminate_backend) or a socket error: the connection is gone, nothing follows.
      this.#settle(err);
    }
  }

  handleReadyForQuery(): void {
    if (this.#state === 'failed' || this.#state === 'settled') return;
    if (this.#failure !== undefined) {
      this.#settle(this.#failure);
      return;
    }
    this.#deliver().then(
      () => this.#settle(undefined, { tag: this.#tag, fields: this.#fields }),
      (err: unknown) => this.#settle(err),
    );
  }

  // ---- internals ----

  /** Hands the buffered rows to the sink; a row-returning statement gets at least one (maybe empty) call. */
  async #deliver(): Promise<void> {
    if (!this.#fields) return;
    if (this.#rows.length === 0 && this.#delivered) return;
    const rows = this.#rows;
    this.#rows = [];
    this.#delivered = true;
    await this.#sink(this.#fields, rows);
  }

  #closePortal(con: WireConnection, reason: unknown): void {
    this.#failure = reason;
    this.#state = 'syncing';
    con.close({ type: 'P', name: '' });
    con.sync();
  }

  #settle(err: unknown, outcome?: PortalOutcome): void {
    if (this.#state === 'settled') return;
    this.#state = 'settled';
    this.#rows = [];
    if (outcome) this.#resolve(outcome);
    else this.#reject(err);
  }
}
