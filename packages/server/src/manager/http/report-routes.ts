import { EngineConnError } from '@engineconn/core';
import { isManagerReportEvent } from '@engineconn/core/manager';
import type { FastifyInstance } from 'fastify';
import type { ReportHandler } from '../report-handler.js';

/** `POST /api/v1/engineconns/:id/{register,status,heartbeat,release}` (docs/manager.md): the engines' reports. */
export function registerReportRoutes(app: FastifyInstance, handler: ReportHandler): void {
  app.post<{ Params: { id: string; event: string } }>(
    '/api/v1/engineconns/:id/:event',
    // Not a user's token: the handler checks the secret the engine was launched with.
    { config: { public: true } },
    async (request, reply) => {
      const { id, event } = request.params;
      if (!isManagerReportEvent(event)) {
        throw new EngineConnError(
          'EC_NOT_FOUND',
          `No report '${event}'; reports are register, status, heartbeat, release.`,
        );
      }
      handler.handle(event, id, request.headers.authorization, request.body);
      return reply.code(200).send({ ok: true });
    },
  );
}
