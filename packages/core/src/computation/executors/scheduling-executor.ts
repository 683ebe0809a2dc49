import { BusyError } from '../../errors/errors.js';
import type { ExecutorKind } from '../../plugin/engine-plugin.js';
import type { EngineConnTask } from '../engine-conn-task.js';

export type TaskRunner = (task: EngineConnTask) => Promise<void>;

/**
 * The scheduling half of Linkis' ComputationExecutor family: admits a task, runs it when a slot is
 * free, queues it (status Scheduled) up to `queueLimit`, and refuses with EC_BUSY past that. What
 * "running" means is the runner's business; here a slot is only a count, so the same scheduler
 * serves serial (1 slot), concurrent (N) and async (thousands) executors.
 */
export abstract class SchedulingExecutor {
  abstract readonly kind: ExecutorKind;
  readonly #running = new Set<EngineConnTask>();
  #queue: EngineConnTask[] = [];
  #runner: TaskRunner | null = null;

  constructor(
    readonly limit: number,
    readonly queueLimit: number,
    private readonly onChange: () => void,
  ) {}

  /** Set once by the task execution service, which owns how a task runs. */
  bind(runner: TaskRunner): void {
    this.#runner = runner;
  }

  get running(): number {
    return this.#running.size;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get full(): boolean {
    return this.#running.size >= this.limit;
  }

  /** Throws the EC_* error that explains why this task cannot be accepted now. */
  protected abstract admit(task: EngineConnTask): void;

  submit(task: EngineConnTask): void {
    this.admit(task);
    if (this.#running.size < this.limit) {
      task.transition('Scheduled');
      this.#start(task);
    } else if (this.#queue.length < this.queueLimit) {
      task.transition('Scheduled');
      this.#queue.push(task);
      this.onChange();
    } else {
      throw new BusyError(
        `All ${this.limit} task slots are in use and the queue of ${this.queueLimit} is full; retry later or raise --concurrency.`,
      );
    }
  }

  /** Takes a task out of the queue; false if it is not queued (already running or finished). */
  dequeue(task: EngineConnTask): boolean {
    const at = this.#queue.indexOf(task);
    if (at < 0) return false;
    this.#queue.splice(at, 1);
    this.onChange();
    return true;
  }

  /** Empties the queue (shutdown) and returns what was in it. */
  drainQueue(): EngineConnTask[] {
    const drained = this.#queue;
    this.#queue = [];
    if (drained.length > 0) this.onChange();
    return drained;
  }

  runningTasks(): EngineConnTask[] {
    return [...this.#running];
  }

  #start(task: EngineConnTask): void {
    const runner = this.#runner;
    if (!runner) throw new Error('SchedulingExecutor used before bind()');
    this.#running.add(task);
    this.onChange();
    runner(task).finally(() => {
      this.#running.delete(task);
      const next = this.#queue.shift();
      if (next) this.#start(next);
      else this.onChange();
    });
  }
}
