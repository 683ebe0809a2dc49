import { MANAGER_REPORT_SCHEMAS, type ManagerReportEvent } from '@engineconn/core/manager';
import { EngineParamsSchema, ReportAcceptedSchema } from '@engineconn/protocol/manager';
import type { FastifyInstance } from 'fastify';
import { defineRoute } from '../../http/openapi/api-route.js';
import { parseInput } from '../../http/parse-input.js';
import type { ReportHandler } from '../report-handler.js';

const SUMMARIES: Record<ManagerReportEvent, string> = {
  register: 'An engine the manager launched registers (and re-registers after the manager was unreachable)',
  status: "An engine's NodeStatus changed",
  heartbeat: "An engine's heartbeat: status, health, load and usage",
  release: 'An engine released itself and is exiting',
};

function reportRoute(event: ManagerReportEvent) {
  return defineRoute({
    tag: 'reports',
    summary: SUMMARIES[event],
    description: 'Authenticated by the secret the manager gave the engine at launch, as its bearer token.',
    params: EngineParamsSchema,
    body: MANAGER_REPORT_SCHEMAS[event],
    answers: { 200: { description: 'Taken', schema: ReportAcceptedSchema } },
    // Public to the users' auth: the handler checks the bearer against the engine's launch secret.
    extensions: { security: [{ bearer: [] }] },
    // A Lost engine, or one this manager never launched (the reporter re-registers);
    // a register that would move the engine to another URL.
    errors: ['EC_UNAUTHORIZED', 'EC_ENGINE_NOT_FOUND', ...(event === 'register' ? (['EC_FORBIDDEN'] as const) : [])],
  });
}

/** `POST /api/v1/engineconns/:id/{register,status,heartbeat,release}` (docs/manager.md): the engines' reports. */
export function registerReportRoutes(app: FastifyInstance, handler: ReportHandler): void {
  for (const event of Object.keys(MANAGER_REPORT_SCHEMAS) as ManagerReportEvent[]) {
    const api = reportRoute(event);
    app.post(`/api/v1/engineconns/:id/${event}`, { config: { public: true, api } }, async (request, reply) => {
      const { id } = parseInput(api.params, request.params, 'params');
      handler.handle(event, id, request.headers.authorization, request.body);
      return reply.code(200).send({ ok: true });
    });
  }
}
