/** How the run being torn down ended: each undo may act on it (report a failure, keep a directory). */
export type TeardownCause = { readonly failed: false } | { readonly failed: true; readonly error: unknown };

export const SUCCEEDED: TeardownCause = { failed: false };

interface Step {
  readonly name: string;
  readonly undo: (cause: TeardownCause) => void | Promise<void>;
}

/**
 * What a boot opened, closed in reverse. Each step that opens something (a listener, the engine
 * session, a server, a manager connection, a published token) defers its undo here right after it
 * succeeds; a failure, a signal or the normal end unwinds the stack once, last opened first, so
 * nothing is closed before what depends on it, and nothing opened is forgotten. (Node 20 has no
 * AsyncDisposableStack; this one also tells each undo how the run ended.)
 */
export class TeardownStack {
  readonly #steps: Step[] = [];
  readonly #onError: (step: string, err: unknown) => void;
  #unwound: Promise<void> | null = null;
  #cause: TeardownCause = SUCCEEDED;

  /** `onError` hears of an undo that failed; the ones below it still run. */
  constructor(onError: (step: string, err: unknown) => void) {
    this.#onError = onError;
  }

  /**
   * Registers the undo of a step that has just opened something. A boot opens its steps and
   * unwinds in one sequence (a signal aborts the step under way, which then throws, and only then
   * is the stack unwound), so nothing is deferred once the unwinding began.
   */
  defer(name: string, undo: (cause: TeardownCause) => void | Promise<void>): void {
    this.#steps.push({ name, undo });
  }

  /**
   * Runs every undo, last deferred first, each once; one that throws is reported and the rest
   * still run. Idempotent: a second call (a signal during the first) returns the first's promise.
   */
  unwind(cause: TeardownCause = SUCCEEDED): Promise<void> {
    if (!this.#unwound) {
      this.#cause = cause;
      this.#unwound = this.#unwindAll();
    }
    return this.#unwound;
  }

  async #unwindAll(): Promise<void> {
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) await this.#run(step);
  }

  async #run(step: Step): Promise<void> {
    try {
      await step.undo(this.#cause);
    } catch (err) {
      this.#onError(step.name, err);
    }
  }
}
