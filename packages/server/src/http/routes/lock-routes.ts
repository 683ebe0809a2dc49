import { EngineConnError } from '@engineconn/core';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.js';
import { LockParamsSchema, LockRequestSchema, parseInput } from '../schemas.js';

/** The serial executor's lock (other executors grant it and ignore it). */
export function registerLockRoutes(app: FastifyInstance): void {
  const { runtime, callerOf } = app.engineConn;

  app.post('/api/v1/locks', async (request) => {
    const { timeoutMs } = parseInput(LockRequestSchema, request.body ?? {}, 'body');
    return runtime.lock(callerOf(request), timeoutMs);
  });

  app.delete('/api/v1/locks/:lock', async (request, reply) => {
    const { lock } = parseInput(LockParamsSchema, request.params, 'params');
    try {
      runtime.unlock(lock);
    } catch (err) {
      // The contract answers an unknown lock here with 404 (a submit with one gets 423).
      if (err instanceof EngineConnError && err.code === 'EC_LOCK_INVALID') {
        return sendError(reply, 404, err.code, err.message);
      }
      throw err;
    }
    return { unlocked: true };
  });
}
