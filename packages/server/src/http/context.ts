import { type Caller, EngineConnError, type EngineConnRuntime, type TaskView } from '@engineconn/core';
import { TaskParamsSchema } from '@engineconn/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Authenticator, callerOf } from './auth.js';
import { parseInput } from './parse-input.js';

/**
 * What every route module, including the ones other packages plug in (WebSocket, console, metrics),
 * reaches through `app.engineConn`.
 */
export interface EngineConnServerContext {
  readonly runtime: EngineConnRuntime;
  readonly authenticator: Authenticator;
  /** The authenticated caller of a request (throws EC_UNAUTHORIZED on a public route). */
  callerOf(request: FastifyRequest): Caller;
  /** The caller, if they are the EC's owner or an admin; otherwise throws EC_FORBIDDEN. */
  requireOwnerOrAdmin(request: FastifyRequest): Caller;
  /** The caller, if the share level lets them submit tasks; otherwise throws EC_FORBIDDEN naming the owner. */
  requireSubmitter(request: FastifyRequest): Caller;
  /** The task named by the `:id` path parameter, visible to the caller, marked as active. */
  taskOf(request: FastifyRequest): TaskView;
}

declare module 'fastify' {
  interface FastifyInstance {
    engineConn: EngineConnServerContext;
  }
}

/**
 * The declaration of a route whose handler finds its task with `taskOf`: the `:id` param that
 * parses and the EC_TASK_NOT_FOUND it answers with. Spread into the route's `defineRoute`.
 */
export const TASK_BY_ID = { params: TaskParamsSchema, errors: ['EC_TASK_NOT_FOUND'] } as const;

export function createServerContext(runtime: EngineConnRuntime, authenticator: Authenticator): EngineConnServerContext {
  return {
    runtime,
    authenticator,
    callerOf,
    requireOwnerOrAdmin(request) {
      const caller = callerOf(request);
      if (!authenticator.isOwnerOrAdmin(caller)) {
        throw new EngineConnError(
          'EC_FORBIDDEN',
          `Only the EngineConn's owner ('${authenticator.owner}') or an admin may do this.`,
        );
      }
      return caller;
    },
    requireSubmitter(request) {
      const caller = callerOf(request);
      authenticator.requireSubmitter(caller);
      return caller;
    },
    taskOf(request) {
      const { id } = parseInput(TaskParamsSchema, request.params, 'params');
      const view = runtime.getTask(id, callerOf(request));
      view.touch();
      return view;
    },
  };
}

export function decorateServerContext(app: FastifyInstance, context: EngineConnServerContext): void {
  app.decorate('engineConn', context);
}
