import type { EngineCreationContext } from '../context/engine-creation-context.js';
import { BadRequestError } from '../errors/errors.js';
import type { CodeExecutor, EnginePlugin } from '../plugin/engine-plugin.js';

/**
 * Linkis' ExecutorManager: one code executor per code-language label, created on first use and
 * closed with the EngineConn.
 */
export class ExecutorManager {
  readonly #executors = new Map<string, Promise<CodeExecutor>>();
  /** The executors created, by run type: what a task runs on without waiting for a promise. */
  readonly #ready = new Map<string, CodeExecutor>();

  constructor(
    private readonly plugin: EnginePlugin<unknown>,
    private readonly session: unknown,
    private readonly context: EngineCreationContext,
  ) {}

  get defaultRunType(): string {
    return this.plugin.runTypes[0];
  }

  /** The canonical run type for a request, or EC_BAD_REQUEST naming the ones this engine runs. */
  resolveRunType(runType: string | undefined): string {
    if (runType === undefined || runType === '') return this.defaultRunType;
    if (this.plugin.runTypes.includes(runType)) return runType;
    throw new BadRequestError(
      `The ${this.plugin.name} engine does not run '${runType}' code; use one of: ${this.plugin.runTypes.join(', ')}.`,
    );
  }

  get(runType: string): Promise<CodeExecutor> {
    let executor = this.#executors.get(runType);
    if (!executor) {
      const created = Promise.resolve(this.plugin.createExecutor(this.session, runType, this.context));
      this.#executors.set(runType, created);
      created.then(
        (ready) => {
          if (this.#executors.get(runType) === created) this.#ready.set(runType, ready);
        },
        // A failed creation is retried on the next task rather than cached forever.
        () => this.#executors.delete(runType),
      );
      executor = created;
    }
    return executor;
  }

  /** The executor for `runType` once `get` has created it; undefined before (or after closeAll). */
  ready(runType: string): CodeExecutor | undefined {
    return this.#ready.get(runType);
  }

  async closeAll(): Promise<void> {
    const executors = [...this.#executors.values()];
    this.#executors.clear();
    this.#ready.clear();
    for (const pending of executors) {
      const executor = await pending.catch(() => null);
      await executor?.close?.();
    }
  }
}
