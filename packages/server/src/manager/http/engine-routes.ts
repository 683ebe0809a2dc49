import {
  AskAnswerSchema,
  AskRequestSchema,
  EngineListSchema,
  EngineParamsSchema,
  EngineSchema,
  EngineStoppingSchema,
} from '@engineconn/protocol/manager';
import type { FastifyInstance } from 'fastify';
import { callerOf } from '../../http/auth.js';
import { defineRoute } from '../../http/openapi/api-route.js';
import { parseInput } from '../../http/parse-input.js';
import type { EngineManager } from '../engine-manager.js';
import { publicEngine } from '../registry/engine-record.js';

/** The codes an ask can end with, which `POST /api/v1/jobs` shares (it asks first). */
export const ASK_ERRORS = [
  'EC_UNKNOWN_ENGINE',
  'EC_LIMIT_REACHED',
  'EC_ENGINE_START_FAILED',
  'EC_ENGINE_START_TIMEOUT',
  'EC_SHUTTING_DOWN',
  // As root: a caller with no OS account of their own, or root itself.
  'EC_FORBIDDEN',
] as const;

const askRoute = defineRoute({
  tag: 'engines',
  summary: 'An engine of yours for engineType + labels that can take a task now: reused, else launched as your OS user',
  description:
    'Answers once the engine is ready. A failed or timed-out launch answers its last log lines in `error.logTail`.',
  body: AskRequestSchema,
  answers: { 200: { description: 'The engine, with a token for its own API', schema: AskAnswerSchema } },
  errors: ASK_ERRORS,
});

const listEnginesRoute = defineRoute({
  tag: 'engines',
  summary: 'Your engines (all engines for admins)',
  answers: { 200: { description: 'The engines', schema: EngineListSchema } },
  errors: [],
});

/**
 * The declaration of a route on one engine the caller may see (`registry.visible`): the `:id`
 * param and the EC_ENGINE_NOT_FOUND for an unknown or foreign one. Spread into its `defineRoute`.
 */
const ENGINE_BY_ID = { params: EngineParamsSchema, errors: ['EC_ENGINE_NOT_FOUND'] } as const;

const getEngineRoute = defineRoute({
  tag: 'engines',
  summary: 'One engine',
  ...ENGINE_BY_ID,
  answers: { 200: { description: 'The engine', schema: EngineSchema } },
});

const stopEngineRoute = defineRoute({
  tag: 'engines',
  summary: 'Stop the engine: it drains and exits, and is killed after the stop grace',
  ...ENGINE_BY_ID,
  answers: { 202: { description: 'Stopping', schema: EngineStoppingSchema } },
});

/** Ask, list, read and stop engines (docs/manager.md). Users see their own engines; admins all. */
export function registerEngineRoutes(app: FastifyInstance, manager: EngineManager): void {
  const { registry } = manager;

  app.post('/api/v1/engines/ask', { config: { api: askRoute } }, async (request) => {
    const body = parseInput(askRoute.body, request.body, 'body');
    const { record, reused } = await manager.ask(callerOf(request), body);
    return { engine: { ...publicEngine(record), token: record.token }, reused };
  });

  app.get('/api/v1/engines', { config: { api: listEnginesRoute } }, async (request) => ({
    engines: registry.listFor(callerOf(request)).map(publicEngine),
  }));

  app.get('/api/v1/engines/:id', { config: { api: getEngineRoute } }, async (request) => {
    const { id } = parseInput(getEngineRoute.params, request.params, 'params');
    return publicEngine(registry.visible(id, callerOf(request)));
  });

  app.delete('/api/v1/engines/:id', { config: { api: stopEngineRoute } }, async (request, reply) => {
    const { id } = parseInput(stopEngineRoute.params, request.params, 'params');
    const record = registry.visible(id, callerOf(request));
    manager.stop(record);
    return reply.code(202).send({ id, stopping: true });
  });
}
