import { LockParamsSchema, LockRequestSchema } from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { parseInput } from '../parse-input.js';

/** The serial executor's lock (other executors grant it with `enforced: false` and ignore it). */
export function registerLockRoutes(app: FastifyInstance): void {
  const { runtime, callerOf, requireSubmitter } = app.engineConn;

  app.post('/api/v1/locks', async (request) => {
    const caller = requireSubmitter(request);
    const { timeoutMs } = parseInput(LockRequestSchema, request.body ?? {}, 'body');
    return runtime.lock(caller, timeoutMs);
  });

  app.delete('/api/v1/locks/:lock', async (request) => {
    const { lock } = parseInput(LockParamsSchema, request.params, 'params');
    runtime.unlock(lock);
    return { unlocked: true };
  });

  // Breaks whatever lock is held (its holder may be gone): the EngineConn's owner or an admin only.
  app.delete('/api/v1/locks', async (request) => {
    runtime.breakLock(callerOf(request));
    return { unlocked: true };
  });
}
