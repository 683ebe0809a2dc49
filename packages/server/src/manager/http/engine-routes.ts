import { AskRequestSchema, EngineParamsSchema } from '@engineconn/protocol';
import type { FastifyInstance } from 'fastify';
import { callerOf } from '../../http/auth.js';
import { parseInput } from '../../http/parse-input.js';
import type { EngineManager } from '../engine-manager.js';
import { publicEngine } from '../registry/engine-record.js';

/** Ask, list, read and stop engines (docs/manager.md). Users see their own engines; admins all. */
export function registerEngineRoutes(app: FastifyInstance, manager: EngineManager): void {
  const { registry } = manager;

  app.post('/api/v1/engines/ask', async (request) => {
    const body = parseInput(AskRequestSchema, request.body, 'body');
    const { record, reused } = await manager.ask(callerOf(request), body);
    return { engine: { ...publicEngine(record), token: record.token }, reused };
  });

  app.get('/api/v1/engines', async (request) => ({
    engines: registry.listFor(callerOf(request)).map(publicEngine),
  }));

  app.get('/api/v1/engines/:id', async (request) => {
    const { id } = parseInput(EngineParamsSchema, request.params, 'params');
    return publicEngine(registry.visible(id, callerOf(request)));
  });

  app.delete('/api/v1/engines/:id', async (request, reply) => {
    const { id } = parseInput(EngineParamsSchema, request.params, 'params');
    const record = registry.visible(id, callerOf(request));
    manager.stop(record);
    return reply.code(202).send({ id, stopping: true });
  });
}
