import { IllegalTransitionError } from '../errors/errors.js';

export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

export type TransitionListener<S extends string> = (from: S, to: S, reason: string | undefined) => void;

/**
 * A string-literal lifecycle with a guarded `transition()`: a move the table does not allow throws,
 * so a bug shows up where it happens instead of as a wrong status reported much later.
 */
export class StateMachine<S extends string> {
  #current: S;
  /** Made by the first onTransition: a task's machine (one per task) has none. */
  #listeners: TransitionListener<S>[] | null = null;

  constructor(
    readonly name: string,
    initial: S,
    private readonly table: TransitionTable<S>,
  ) {
    this.#current = initial;
  }

  get current(): S {
    return this.#current;
  }

  canTransition(to: S): boolean {
    return this.table[this.#current].includes(to);
  }

  isTerminal(): boolean {
    return this.table[this.#current].length === 0;
  }

  transition(to: S, reason?: string): void {
    const from = this.#current;
    if (!this.table[from].includes(to)) throw new IllegalTransitionError(this.name, from, to);
    this.#current = to;
    if (this.#listeners) for (const listener of this.#listeners) listener(from, to, reason);
  }

  onTransition(listener: TransitionListener<S>): () => void {
    this.#listeners = [...(this.#listeners ?? []), listener];
    return () => {
      this.#listeners = this.#listeners?.filter((l) => l !== listener) ?? null;
    };
  }
}
