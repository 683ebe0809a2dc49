import { LockGrantSchema, LockParamsSchema, LockRequestSchema, UnlockedSchema } from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { defineRoute } from '../openapi/api-route.js';
import { parseInput } from '../parse-input.js';

const takeLockRoute = defineRoute({
  tag: 'locks',
  summary: "Take the EngineConn's lock (serial executor; others grant and ignore it)",
  body: LockRequestSchema,
  bodyOptional: true,
  answers: { 200: { description: 'The lock', schema: LockGrantSchema } },
  errors: ['EC_FORBIDDEN', 'EC_BUSY', 'EC_SHUTTING_DOWN'],
});

const releaseLockRoute = defineRoute({
  tag: 'locks',
  summary: 'Release a lock',
  params: LockParamsSchema,
  answers: { 200: { description: 'Released', schema: UnlockedSchema } },
  errors: ['EC_LOCK_NOT_FOUND'],
});

const breakLockRoute = defineRoute({
  tag: 'locks',
  summary: 'Break the lock held now, whoever holds it (owner or admin)',
  answers: { 200: { description: 'Broken', schema: UnlockedSchema } },
  errors: ['EC_FORBIDDEN', 'EC_LOCK_NOT_FOUND'],
});

/** The serial executor's lock (other executors grant it with `enforced: false` and ignore it). */
export function registerLockRoutes(app: FastifyInstance): void {
  const { runtime, callerOf, requireSubmitter } = app.engineConn;

  app.post('/api/v1/locks', { config: { api: takeLockRoute } }, async (request) => {
    const caller = requireSubmitter(request);
    const { timeoutMs } = parseInput(takeLockRoute.body, request.body ?? {}, 'body');
    return runtime.lock(caller, timeoutMs);
  });

  app.delete('/api/v1/locks/:lock', { config: { api: releaseLockRoute } }, async (request) => {
    const { lock } = parseInput(releaseLockRoute.params, request.params, 'params');
    runtime.unlock(lock);
    return { unlocked: true };
  });

  // Breaks whatever lock is held (its holder may be gone): the EngineConn's owner or an admin only.
  app.delete('/api/v1/locks', { config: { api: breakLockRoute } }, async (request) => {
    runtime.breakLock(callerOf(request));
    return { unlocked: true };
  });
}
