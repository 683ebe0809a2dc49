import type { LockGrant } from '@engineconn/protocol';
import { EngineConnError } from '@engineconn/protocol/constants';
import type { LockService } from '../accessible/lock-service.js';
import type { Caller } from '../computation/task-types.js';
import { BusyError } from '../errors/errors.js';
import type { ExecutorKind } from '../plugin/engine-plugin.js';
import { parseDuration } from '../util/duration.js';
import type { RuntimeSettings } from './runtime-settings.js';

/**
 * The lock API (docs/api.md) over the lock service: who may take, release or break the lock, and
 * for how long. Only the serial executor enforces a lock; the others grant it and ignore it.
 */
export class RuntimeLocks {
  constructor(
    private readonly service: LockService,
    private readonly opts: {
      executor: ExecutorKind;
      owner: string;
      settings: Pick<RuntimeSettings, 'lockTimeoutMs' | 'lockMaxTimeoutMs'>;
      running: () => number;
    },
  ) {}

  /** Takes the lock for `timeoutMs` (at most `ec.lockMaxTimeout`). */
  lock(caller: Caller, timeoutMs?: number): LockGrant {
    const { settings, executor } = this.opts;
    if (timeoutMs !== undefined) {
      parseDuration(timeoutMs, 'timeoutMs', {
        max: settings.lockMaxTimeoutMs,
        maxName: 'ec.lockMaxTimeout',
        request: true,
      });
    }
    if (executor === 'serial' && this.opts.running() > 0) {
      throw new BusyError('A task is running; the lock can be taken when the EngineConn is free.');
    }
    const held = this.service.tryLock(caller.user, timeoutMs ?? settings.lockTimeoutMs);
    if (!held) {
      throw new BusyError('Another caller holds this EngineConn’s lock; retry after it is released or expires.');
    }
    return { lock: held.lock, expiresAt: new Date(held.expiresAt).toISOString(), enforced: executor === 'serial' };
  }

  /** Releases `lock`; EC_LOCK_NOT_FOUND if it is not the lock held now. */
  unlock(lock: string): void {
    this.service.unlock(lock);
  }

  /** Breaks whatever lock is held, for the EngineConn's owner or an admin; EC_LOCK_NOT_FOUND if none. */
  breakLock(caller: Caller): void {
    if (!caller.admin && caller.user !== this.opts.owner) {
      throw new EngineConnError('EC_FORBIDDEN', "Only the EngineConn's owner or an admin may break its lock.");
    }
    const held = this.service.held;
    if (!held) throw new EngineConnError('EC_LOCK_NOT_FOUND', 'No lock is held on this EngineConn.');
    this.service.unlock(held.lock);
  }
}
