import { randomBytes } from 'node:crypto';
import { EngineConnError } from '@engineconn/protocol/constants';
import { type LongTimer, setLongTimeout } from '../util/long-timer.js';

export interface HeldLock {
  lock: string;
  owner: string;
  expiresAt: number;
}

/**
 * The EngineConn's timed lock (Linkis' EngineConnTimedLock): one holder at a time, released by its
 * holder or when it expires. `onChange` fires on grant, release and expiry so the status follows.
 */
export class LockService {
  #held: HeldLock | null = null;
  #timer: LongTimer | null = null;

  constructor(
    private readonly defaultTimeoutMs: number,
    private readonly onChange: () => void,
  ) {}

  get held(): HeldLock | null {
    return this.#held;
  }

  /** Grants the lock, or returns null if someone holds it. */
  tryLock(owner: string, timeoutMs = this.defaultTimeoutMs): HeldLock | null {
    if (this.#held) return null;
    const held = { lock: `lock-${randomBytes(12).toString('base64url')}`, owner, expiresAt: Date.now() + timeoutMs };
    this.#held = held;
    this.#timer = setLongTimeout(() => this.#release(), timeoutMs);
    this.onChange();
    return held;
  }

  /** True when `lock` is the lock held now. */
  isHeld(lock: string): boolean {
    return this.#held !== null && this.#held.lock === lock;
  }

  unlock(lock: string): void {
    if (!this.isHeld(lock)) {
      throw new EngineConnError(
        'EC_LOCK_NOT_FOUND',
        `Lock '${lock}' is not held: it expired, was released, or never existed.`,
      );
    }
    this.#release();
  }

  close(): void {
    this.#timer?.clear();
    this.#timer = null;
    this.#held = null;
  }

  #release(): void {
    this.close();
    this.onChange();
  }
}
