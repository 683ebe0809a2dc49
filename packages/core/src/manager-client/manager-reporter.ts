import type { ManagerReportEvent, ManagerReports, RegisterReport } from '@engineconn/protocol';
import type { NodeStatus } from '@engineconn/protocol/constants';
import { MANAGER_REPORT_SCHEMAS, managerReportPath } from '@engineconn/protocol/manager';
import type { EngineLogger } from '../plugin/engine-plugin.js';
import { backoffDelayMs } from './backoff-delay.js';

export interface ManagerReporterOptions {
  /** The manager's base URL, e.g. `http://manager:9000`. */
  url: string;
  /** The EngineConn id the reports are about. */
  id: string;
  /** Builds the register report; called for every (re-)registration so it is current when sent. */
  register: () => RegisterReport;
  /** Per request; a slow manager counts as a failure past it. Default 5 s. */
  requestTimeoutMs?: number;
  /** First retry delay; doubles per consecutive failure up to `backoffMaxMs`. Default 250 ms. */
  backoffInitialMs?: number;
  /** Default 30 s. */
  backoffMaxMs?: number;
  logger?: EngineLogger;
  /** Source of jitter in [0, 1); tests pin it. */
  random?: () => number;
  /** The report secret a manager gave this EngineConn at launch, sent as a bearer token. */
  secret?: string;
}

export interface ManagerReporterStats {
  /** Reports the manager accepted (2xx), registrations included. */
  sent: number;
  /** Failed attempts: network errors, timeouts, 404/408/429/5xx. Each is retried. */
  failures: number;
  /** Registrations the manager accepted. */
  registrations: number;
  /** Undelivered reports replaced by a newer one that makes them pointless. */
  superseded: number;
  /** Reports the manager refused with another 4xx: retrying cannot help, so they are dropped. */
  rejected: number;
  /** Reports that failed their schema (a bug in the caller); never sent. */
  invalid: number;
  /** Reports still undelivered when `close()` hit its deadline. */
  abandoned: number;
}

/** Every counter of a reporter that has sent nothing yet. */
export function zeroReporterStats(): ManagerReporterStats {
  return { sent: 0, failures: 0, registrations: 0, superseded: 0, rejected: 0, invalid: 0, abandoned: 0 };
}

type Entry = { [K in Exclude<ManagerReportEvent, 'register'>]: { event: K; body: ManagerReports[K] } }[Exclude<
  ManagerReportEvent,
  'register'
>];
type Outcome = 'ok' | 'retry' | 'forgotten' | 'rejected' | 'aborted';

const CLOSING_RETRY_MS = 200;
const LOAD_STATUSES: ReadonlySet<NodeStatus> = new Set(['Unlock', 'Idle', 'Locked', 'Busy']);

/** Whether `newer` makes `older` pointless to deliver (see the class comment). */
function supersedes(newer: Entry, older: Entry): boolean {
  if (newer.event !== older.event) return false;
  if (newer.event !== 'status' || older.event !== 'status') return true;
  return LOAD_STATUSES.has(newer.body.status) && LOAD_STATUSES.has(older.body.status);
}
const PERMANENT_EXCEPTIONS = new Set([404, 408, 410, 425, 429]);

/**
 * Delivers the EngineConn's reports to a manager without ever holding the EngineConn up: every method
 * only enqueues and returns. One sender works through the queue in order; a failure is retried with
 * jittered exponential backoff for as long as the EngineConn lives.
 *
 * Debouncing: a newer report replaces an undelivered one it supersedes, in place. Heartbeats and
 * the release supersede their predecessor; a load status (Unlock, Idle, Locked, Busy) supersedes a
 * load status. So a flapping EngineConn sends only its newest load status, whatever the manager's
 * outage, while the lifecycle statuses (Running, ShuttingDown, Success, Failed) are never replaced:
 * the manager sees each, in order, and always the final one. This also bounds the queue: one pending
 * report per kind plus each lifecycle status, which happens at most once in an EngineConn's life.
 *
 * The manager is assumed to forget EngineConns (restart, failover): after any failed attempt, the next
 * thing sent once it answers again is a fresh registration, before anything else.
 */
export class ManagerReporter {
  readonly stats: ManagerReporterStats = zeroReporterStats();
  readonly #opts: Required<Omit<ManagerReporterOptions, 'logger' | 'secret'>> & {
    logger?: EngineLogger;
    secret?: string;
  };
  #queue: Entry[] = [];
  #needsRegister = true;
  #streak = 0;
  #unreachableSince: number | null = null;
  #sender: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  readonly #stop = new AbortController();
  #wake: (() => void) | null = null;

  constructor(opts: ManagerReporterOptions) {
    this.#opts = {
      requestTimeoutMs: 5000,
      backoffInitialMs: 250,
      backoffMaxMs: 30_000,
      random: Math.random,
      ...opts,
      url: opts.url.replace(/\/+$/, ''),
    };
  }

  /** Undelivered reports, a registration owed included. */
  get pending(): number {
    return this.#queue.length + (this.#needsRegister ? 1 : 0);
  }

  /** When the current run of failed attempts began (epoch ms); null while the manager answers. */
  get unreachableSince(): number | null {
    return this.#unreachableSince;
  }

  /** Sends (again) the registration first; the others call it implicitly. */
  register(): void {
    if (this.#closing) return;
    this.#needsRegister = true;
    this.#kick();
  }

  status(report: ManagerReports['status']): void {
    this.#enqueue({ event: 'status', body: report });
  }

  heartbeat(report: ManagerReports['heartbeat']): void {
    this.#enqueue({ event: 'heartbeat', body: report });
  }

  release(report: ManagerReports['release']): void {
    this.#enqueue({ event: 'release', body: report });
  }

  /**
   * Stops taking reports and delivers the pending ones, retrying until `deadlineMs`; what is left then
   * is abandoned. Keeps the process alive meanwhile (its other timers are unref'd). Idempotent.
   */
  close(deadlineMs = 5000): Promise<void> {
    this.#closing ??= this.#flush(deadlineMs);
    return this.#closing;
  }

  async #flush(deadlineMs: number): Promise<void> {
    const deadline = setTimeout(() => this.#stop.abort(), deadlineMs);
    this.#wake?.();
    if (this.#queue.length > 0) this.#kick();
    await this.#sender;
    clearTimeout(deadline);
    this.stats.abandoned += this.#queue.length;
    this.#queue = [];
    this.#stop.abort();
  }

  #enqueue(entry: Entry): void {
    if (this.#closing) return;
    const parsed = MANAGER_REPORT_SCHEMAS[entry.event].safeParse(entry.body);
    if (!parsed.success) {
      this.stats.invalid++;
      this.#opts.logger?.error({ event: entry.event, issues: parsed.error.issues }, 'invalid manager report dropped');
      return;
    }
    const fresh = { event: entry.event, body: parsed.data } as Entry;
    // Only the last pending report of its kind may be replaced, so reports of a kind keep their order.
    const at = this.#queue.findLastIndex((e) => e.event === fresh.event);
    const previous = this.#queue[at];
    if (previous && supersedes(fresh, previous)) {
      this.#queue[at] = fresh;
      this.stats.superseded++;
    } else {
      this.#queue.push(fresh);
    }
    this.#kick();
  }

  #kick(): void {
    this.#sender ??= this.#run().finally(() => {
      this.#sender = null;
    });
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const entry = this.#needsRegister ? null : this.#queue.shift();
      if (entry === undefined) return;
      const outcome = entry ? await this.#post(entry.event, entry.body) : await this.#post('register', null);
      if (outcome === 'aborted') {
        if (entry) this.#requeue(entry);
        return;
      }
      if (outcome === 'ok' || outcome === 'rejected') {
        if (this.#streak > 0) {
          this.#opts.logger?.info({ manager: this.#opts.url, failures: this.#streak }, 'manager reachable again');
        }
        this.#streak = 0;
        this.#unreachableSince = null;
        if (!entry) this.#needsRegister = false;
        continue;
      }
      this.stats.failures++;
      this.#unreachableSince ??= Date.now();
      this.#needsRegister = true;
      if (entry) this.#requeue(entry);
      if (this.#streak++ === 0) {
        this.#opts.logger?.warn(
          { manager: this.#opts.url, event: entry?.event ?? 'register', outcome },
          'manager report failed; retrying with backoff, the EngineConn keeps serving',
        );
      }
      await this.#backoff();
    }
  }

  /** Puts a failed report back at the front, unless a newer one of its kind already waits. */
  #requeue(entry: Entry): void {
    if (this.#queue.some((e) => supersedes(e, entry))) this.stats.superseded++;
    else this.#queue.unshift(entry);
  }

  /** The current registration, or null (counted as invalid) when it cannot be built. */
  #registration(): RegisterReport | null {
    try {
      const parsed = MANAGER_REPORT_SCHEMAS.register.safeParse(this.#opts.register());
      if (parsed.success) return parsed.data;
      this.#opts.logger?.error({ issues: parsed.error.issues }, 'invalid register report; not registering');
    } catch (err) {
      this.#opts.logger?.error({ err }, 'could not build the register report; not registering');
    }
    this.stats.invalid++;
    return null;
  }

  async #post(event: ManagerReportEvent, report: unknown): Promise<Outcome> {
    const body = event === 'register' ? this.#registration() : report;
    if (body === null) return 'rejected';
    const url = this.#opts.url + managerReportPath(this.#opts.id, event);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#opts.secret ? { authorization: `Bearer ${this.#opts.secret}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.#opts.requestTimeoutMs)]),
      });
      // Drain the body so the connection is reused.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.stats.sent++;
        if (event === 'register') this.stats.registrations++;
        return 'ok';
      }
      if (res.status === 404 || res.status === 410) return 'forgotten';
      if (res.status >= 400 && res.status < 500 && !PERMANENT_EXCEPTIONS.has(res.status)) {
        this.stats.rejected++;
        this.#opts.logger?.warn({ event, status: res.status }, 'manager refused a report; dropped');
        return 'rejected';
      }
      return 'retry';
    } catch {
      return this.#stop.signal.aborted ? 'aborted' : 'retry';
    }
  }

  /**
   * Waits the next backoff delay. At exit there is only the flush deadline left, so `close()` cuts a
   * running wait short and later waits are capped at CLOSING_RETRY_MS.
   */
  #backoff(): Promise<void> {
    const cap = this.#closing ? Math.min(CLOSING_RETRY_MS, this.#opts.backoffMaxMs) : this.#opts.backoffMaxMs;
    const delay = backoffDelayMs(this.#streak, this.#opts.backoffInitialMs, cap, this.#opts.random());
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        this.#stop.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      if (!this.#closing) timer.unref();
      this.#wake = done;
      this.#stop.signal.addEventListener('abort', done, { once: true });
    });
  }
}
