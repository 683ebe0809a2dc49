import {
  BusyError,
  EngineConnError,
  type EngineCreationContext,
  EngineError,
  type EngineLogger,
  escalateKill,
  type Health,
  type KillOutcome,
  readEngineNice,
  type TaskContext,
} from '@engineconn/core';
import { describeExit, Interpreter, type RunOutcome } from './interpreter.js';

const CLOSE_GRACE_MS = 2000;

export interface PythonOptions {
  command: string;
  startupTimeoutMs: number;
  /** `ec.engineNice`: the interpreter runs that much lower than the event loop. */
  nice: number;
}

export function readPythonOptions(ctx: EngineCreationContext, defaultCommand: string): PythonOptions {
  return {
    command: ctx.string('python.command', defaultCommand),
    startupTimeoutMs: ctx.duration('python.startupTimeoutMs', 10_000),
    nice: readEngineNice(ctx),
  };
}

/**
 * The python engine's session: one persistent interpreter, so variables survive between tasks. An
 * interpreter that dies (crash, or killed because it ignored an interrupt) is replaced at once; while
 * that happens the session reports itself UnHealthy.
 */
export class PythonSession {
  version = '';
  #interpreter: Interpreter | undefined;
  #starting: Promise<Interpreter> | undefined;
  #busy = false;
  #closed = false;

  constructor(
    private readonly options: PythonOptions,
    private readonly logger: EngineLogger,
  ) {}

  /** Starts the first interpreter; a failure fails the EngineConn's start-up. */
  async open(): Promise<void> {
    await this.#start();
  }

  health(): Health {
    return this.#interpreter?.alive ? 'Healthy' : 'UnHealthy';
  }

  /** The interpreter's pid, for diagnostics and tests. */
  get pid(): number | undefined {
    return this.#interpreter?.pid;
  }

  async execute(task: TaskContext): Promise<void> {
    if (this.#busy) throw new BusyError('The Python interpreter runs one task at a time; wait for the running one.');
    this.#busy = true;
    try {
      await this.#run(task);
    } finally {
      this.#busy = false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const interpreter = this.#interpreter ?? (await this.#starting?.catch(() => undefined));
    await interpreter?.close(CLOSE_GRACE_MS);
  }

  async #run(task: TaskContext): Promise<void> {
    const interpreter = await this.#ready();
    if (task.signal.aborted) throw new EngineConnError('EC_TASK_CANCELLED', 'The task was killed before it started.');
    const running = interpreter.run(task);
    let stopping: Promise<KillOutcome<'interrupt' | 'restart'>> | undefined;
    // KeyboardInterrupt first; an interpreter that does not stop within the grace is killed (and replaced).
    const onAbort = () => {
      stopping = escalateKill({
        steps: [
          { name: 'interrupt', run: () => interpreter.interrupt() },
          { name: 'restart', run: () => void interpreter.kill() },
        ],
        graceMs: task.killGraceMs,
        stopped: running,
      });
    };
    task.signal.addEventListener('abort', onAbort, { once: true });
    let outcome: RunOutcome;
    try {
      outcome = await running;
    } finally {
      task.signal.removeEventListener('abort', onAbort);
    }
    const stop = await stopping;
    const escalated = stop?.kind === 'stopped' && stop.step === 'restart';
    if (escalated || outcome.status === 'exited' || outcome.status === 'protocol-error') {
      // Settle only once the old interpreter is gone and its replacement is up (or has failed), so
      // the next task never meets a dying interpreter.
      await interpreter.settled;
      const failure = await this.#ready().then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
      if (escalated) {
        task.log(
          failure === undefined
            ? `[engineconn] the interpreter did not stop within ${task.killGraceMs}ms and was restarted; variables were lost`
            : `[engineconn] the interpreter did not stop within ${task.killGraceMs}ms and was killed; a new one could not be started (${failure})`,
        );
        throw new EngineConnError(
          'EC_TASK_CANCELLED',
          `The task was killed; it did not stop within ${task.killGraceMs}ms, so the interpreter was ${failure === undefined ? 'restarted' : 'killed'}.`,
        );
      }
      const replaced =
        failure === undefined ? 'a new interpreter was started' : `a new one could not be started (${failure})`;
      const message =
        outcome.status === 'protocol-error'
          ? `${outcome.message}; it was killed, ${replaced} and the variables were lost.`
          : `The Python interpreter died while running the task (${outcome.status === 'exited' ? describeExit(outcome.exit) : 'unknown'}); ${replaced} and the variables were lost.`;
      task.log(`[engineconn] ${message}`);
      throw new EngineConnError(task.signal.aborted ? 'EC_TASK_CANCELLED' : 'EC_ENGINE_CRASHED', message);
    }
    if (task.signal.aborted)
      throw new EngineConnError('EC_TASK_CANCELLED', 'The task was interrupted (KeyboardInterrupt).');
    if (outcome.status === 'error') throw new EngineError(outcome.message);
    if (outcome.status === 'interrupted') throw new EngineError('KeyboardInterrupt');
    if (outcome.status === 'write-failed') throw EngineConnError.from(outcome.error);
  }

  /** The live interpreter, waiting for a restart in progress or starting one if the last failed. */
  async #ready(): Promise<Interpreter> {
    if (this.#interpreter?.alive) return this.#interpreter;
    return this.#starting ?? this.#start();
  }

  #start(): Promise<Interpreter> {
    if (this.#closed) {
      return Promise.reject(new EngineConnError('EC_SHUTTING_DOWN', 'The Python session is closed.'));
    }
    this.#interpreter = undefined;
    const starting = Interpreter.start({ ...this.options, logger: this.logger }).then(({ interpreter, version }) => {
      this.version = version;
      this.#interpreter = interpreter;
      void interpreter.settled.then((exit) => this.#onExit(interpreter, describeExit(exit)));
      return interpreter;
    });
    this.#starting = starting;
    void starting.then(
      () => {
        if (this.#starting === starting) this.#starting = undefined;
      },
      (err: unknown) => {
        if (this.#starting === starting) this.#starting = undefined;
        this.logger.error({ err }, 'the python interpreter could not be started');
      },
    );
    return starting;
  }

  #onExit(interpreter: Interpreter, how: string): void {
    if (this.#closed || this.#interpreter !== interpreter) return;
    this.logger.warn({ pid: interpreter.pid }, `the python interpreter exited (${how}); starting a new one`);
    void this.#start().catch(() => {});
  }
}
