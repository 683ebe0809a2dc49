import type { LaunchedEngine, LaunchSpec } from './engine-launcher.js';

/** A launched engine that has not yet become ready: its reports are recognised by its secret. */
export interface PendingLaunch {
  spec: LaunchSpec;
  askKey: string;
  launched: LaunchedEngine;
}

/** The launches in flight, by report secret (the register report is the first the manager hears of an id). */
export class PendingLaunches {
  readonly #bySecret = new Map<string, PendingLaunch>();

  add(pending: PendingLaunch): void {
    this.#bySecret.set(pending.launched.secret, pending);
  }

  delete(pending: PendingLaunch): void {
    this.#bySecret.delete(pending.launched.secret);
  }

  bySecret(secret: string): PendingLaunch | undefined {
    return this.#bySecret.get(secret);
  }

  all(): PendingLaunch[] {
    return [...this.#bySecret.values()];
  }

  /** Launches not yet in the registry (once registered, the registry counts them). */
  unregistered(isRegistered: (secret: string) => boolean, user?: string): number {
    return this.all().filter((p) => !isRegistered(p.launched.secret) && (user === undefined || p.spec.user === user))
      .length;
  }
}
