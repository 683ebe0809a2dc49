import type { NodeStatus } from '@engineconn/protocol/constants';

export interface UsageTotals {
  busyMs: number;
  idleMs: number;
  lockedMs: number;
}

type Kind = keyof UsageTotals | null;

/**
 * Accumulates where the EngineConn's time went, for heartbeats. The three buckets are disjoint:
 * - busy: at least one task running or queued, or the status is Busy (refusing work: at the limit,
 *   overloaded, unhealthy). Work counts even under a concurrent executor that still reports Unlock
 *   below its limit, so a manager sees real utilisation, not only saturation.
 * - locked: no work, a caller's lock held (Idle, Locked).
 * - idle: no work, no lock (Unlock; and Running, the once executor's "job not yet submitted").
 * Starting, ShuttingDown without work, and the terminal states count in none.
 * Fed from the synchronous bus so no transition is missed; times are the events' own timestamps.
 */
export class UsageClock {
  readonly #totals: UsageTotals = { busyMs: 0, idleMs: 0, lockedMs: 0 };
  readonly #active = new Set<string>();
  #status: NodeStatus;
  #kind: Kind;
  #since: number;

  constructor(status: NodeStatus, now = Date.now()) {
    this.#status = status;
    this.#since = now;
    this.#kind = this.#classify();
  }

  nodeStatus(status: NodeStatus, at: number): void {
    this.#status = status;
    this.#settle(at);
  }

  /** A task moved; `open` while it is queued or running. */
  task(id: string, open: boolean, at: number): void {
    if (open) this.#active.add(id);
    else this.#active.delete(id);
    this.#settle(at);
  }

  /** The totals up to `now`, the current stretch included. */
  snapshot(now = Date.now()): UsageTotals {
    const totals = { ...this.#totals };
    if (this.#kind) totals[this.#kind] += Math.max(0, now - this.#since);
    return totals;
  }

  #settle(at: number): void {
    const now = Math.max(at, this.#since);
    const kind = this.#classify();
    if (kind === this.#kind) return;
    if (this.#kind) this.#totals[this.#kind] += now - this.#since;
    this.#kind = kind;
    this.#since = now;
  }

  #classify(): Kind {
    if (this.#active.size > 0 || this.#status === 'Busy') return 'busyMs';
    if (this.#status === 'Idle' || this.#status === 'Locked') return 'lockedMs';
    if (this.#status === 'Unlock' || this.#status === 'Running') return 'idleMs';
    return null;
  }
}
