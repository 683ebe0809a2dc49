import {
  type EngineConnEvents,
  RESULT_SET_TYPES,
  type ResultSetType,
  type SyncListenerBus,
  TERMINAL_TASK_STATUSES,
  type TerminalTaskStatus,
} from '@engineconn/core';

/** A histogram kept as plain numbers: per-bucket counts (not cumulative), sum and count. */
export class Buckets {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

export const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];
export const QUEUE_WAIT_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 10, 30, 60, 300];

function byKey<K extends string, V>(keys: readonly K[], make: () => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, make()])) as Record<K, V>;
}

/**
 * The task figures of one EngineConn, counted inline on its sync bus: each event costs an add or
 * two, nothing is allocated, and no metrics library is involved until someone scrapes.
 */
export class TaskStats {
  submitted = 0;
  readonly finished = byKey<TerminalTaskStatus, number>(TERMINAL_TASK_STATUSES, () => 0);
  readonly duration = byKey(TERMINAL_TASK_STATUSES, () => new Buckets(DURATION_BUCKETS));
  readonly queueWait = new Buckets(QUEUE_WAIT_BUCKETS);
  logLines = 0;
  readonly resultSets = byKey<ResultSetType, number>(RESULT_SET_TYPES, () => 0);
  resultRows = 0;
  resultBytes = 0;
  readonly #unsubscribe: (() => void)[];

  constructor(bus: SyncListenerBus<EngineConnEvents>) {
    this.#unsubscribe = [
      bus.on('taskStatusChanged', (e) => {
        if (e.from === 'Inited' && e.to === 'Scheduled') this.submitted++;
      }),
      bus.on('executorCompleted', (e) => {
        this.finished[e.status]++;
        this.duration[e.status].observe(e.durationMs / 1000);
        this.queueWait.observe(e.queueWaitMs / 1000);
      }),
      bus.on('taskLog', (e) => {
        this.logLines += e.lines.length;
      }),
      bus.on('taskResultSet', ({ resultSet }) => {
        this.resultSets[resultSet.type]++;
        if (resultSet.type === 'TABLE') this.resultRows += resultSet.rowCount;
        else this.resultBytes += resultSet.byteCount;
      }),
    ];
  }

  /** Stops counting. Idempotent. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }
}
