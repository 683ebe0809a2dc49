import { BadRequestError } from '@engineconn/core';
import { WS_CLOSE_CODES } from '@engineconn/protocol';
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { FORCE_CLOSE_MS } from '../force-close.js';
import { defineRoute, ref } from '../openapi/api-route.js';
import { SLOW_CONSUMER_LIMITS } from '../slow-consumer.js';
import { EventSession, type EventSessionLimits } from './event-session.js';

const eventsSocketRoute = defineRoute({
  tag: 'events',
  summary: 'Task events over a WebSocket',
  description: [
    'Upgrade to a WebSocket (browsers pass the token as `?token=`). Send WsClientMessage: `{"type": "subscribe", "taskId": ID or "*", "after"?: seq}` or `{"type": "unsubscribe", "taskId"}`.',
    'The server sends WsEventMessage `{"type": "event", "taskId", "seq", "event", "data"}` (data as on SSE) and WsErrorMessage `{"type": "error", "code", "message", "taskId"?}`.',
    '`*` follows your unfinished tasks and every task you submit later; subscribe to a finished task by id to replay it. Resubscribing to a task restarts its stream after the given `after`.',
    "Errors leave the socket open: a malformed message is EC_BAD_REQUEST; an unknown or foreign task EC_TASK_NOT_FOUND; an `after` beyond the task's last event EC_BAD_REQUEST (no silent wait).",
    `A client whose send queue stays above the high-water mark too long gets EC_SLOW_CONSUMER and close code ${WS_CLOSE_CODES.slowConsumer}; it reconnects and resubscribes after the last seq it received. Messages over 64 KiB close the socket with 1009.`,
  ].join('\n\n'),
  answers: { 101: { description: 'Switching to the WebSocket protocol' } },
  errors: ['EC_BAD_REQUEST', 'EC_UNAUTHORIZED', 'EC_FORBIDDEN'],
  authenticatesItself: true,
  extensions: {
    'x-websocket-messages': {
      client: ref('WsClientMessage'),
      server: { oneOf: [ref('WsEventMessage'), ref('WsErrorMessage')] },
      'x-message-errors': ['EC_BAD_REQUEST', 'EC_TASK_NOT_FOUND', 'EC_SLOW_CONSUMER'],
    },
  },
});

export interface EventsWsOptions extends Partial<EventSessionLimits> {
  /** Largest message a client may send; bigger ones close the socket with 1009. */
  maxMessageBytes?: number;
  /** Ping interval; a client that does not answer one ping before the next is dropped. 0 = off. */
  pingIntervalMs?: number;
  /** How long a shutdown waits for a client to answer its close frame before cutting the socket. */
  shutdownCloseMs?: number;
}

// The same bound as SSE; the close grace is long enough for a client that paused to read the
// EC_SLOW_CONSUMER message and the 4008 close queued behind its backlog (a 1 s grace dropped the
// connection first, so such a client only ever saw 1006).
const DEFAULT_LIMITS: EventSessionLimits = { ...SLOW_CONSUMER_LIMITS, maxSubscriptions: 10_000 };

/** Browsers cannot set headers on a WebSocket: they pass the token as `?token=` instead. */
function authorizationOf(request: FastifyRequest): string | undefined {
  if (request.headers.authorization) return request.headers.authorization;
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined;
}

/**
 * `GET /api/v1/events`: task events over a WebSocket (docs/api.md). Authenticated like every API route
 * (bearer header, or `?token=` for browsers) before the upgrade, so a bad token is a plain 401.
 * Message shapes: @engineconn/protocol's `ws-messages.ts`; flow control and resume: `EventSession`.
 */
/** Live counters of one plugin instance (for metrics and tests). */
export interface EventsWsStats {
  /** Sockets open now. */
  sockets: number;
  /** Sockets cut off as slow consumers since start. */
  slowConsumers: number;
}

export type EventsWsPlugin = FastifyPluginAsync & { readonly stats: EventsWsStats };

export function createEventsWsPlugin(options: EventsWsOptions = {}): EventsWsPlugin {
  const stats: EventsWsStats = { sockets: 0, slowConsumers: 0 };
  const limits: EventSessionLimits = {
    highWaterBytes: options.highWaterBytes ?? DEFAULT_LIMITS.highWaterBytes,
    stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_LIMITS.stallTimeoutMs,
    maxSubscriptions: options.maxSubscriptions ?? DEFAULT_LIMITS.maxSubscriptions,
    closeGraceMs: options.closeGraceMs ?? DEFAULT_LIMITS.closeGraceMs,
  };
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  // Node stops tracking a connection once it is upgraded, so the HTTP server's force-close never
  // reaches a WebSocket, and `ws` waits 30 s for a peer that never answers the close frame: the
  // server's close, and the shutdown, would wait as long.
  const shutdownCloseMs = options.shutdownCloseMs ?? FORCE_CLOSE_MS;

  const plugin: FastifyPluginAsync = async function eventsWs(app) {
    if (!app.hasDecorator('websocketServer')) {
      await app.register(websocket, {
        options: { maxPayload: options.maxMessageBytes ?? 64 * 1024 },
        preClose(done) {
          const { clients } = this.websocketServer;
          for (const client of clients) client.close(1001);
          setTimeout(() => {
            for (const client of clients) client.terminate();
          }, shutdownCloseMs).unref();
          done();
        },
      });
    }
    const { runtime, authenticator } = app.engineConn;
    const sessions = new Set<EventSession>();
    const alive = new WeakSet<object>();

    if (pingIntervalMs > 0) {
      const timer = setInterval(() => {
        for (const client of app.websocketServer.clients) {
          if (!alive.has(client)) {
            client.terminate();
            continue;
          }
          alive.delete(client);
          client.ping();
        }
      }, pingIntervalMs);
      timer.unref();
      app.addHook('onClose', async () => clearInterval(timer));
    }
    app.addHook('onClose', async () => {
      for (const session of sessions) session.close();
    });

    app.route({
      method: 'GET',
      url: '/api/v1/events',
      // The root auth hook reads only the header; this route authenticates itself to accept `?token=`.
      config: { public: true, api: eventsSocketRoute },
      onRequest: async (request) => {
        request.caller = authenticator.authenticate(
          { authorization: authorizationOf(request) },
          request.socket.remoteAddress,
        );
      },
      // A plain GET gets the contract's error, not the plugin's bodiless 404.
      handler: async () => {
        throw new BadRequestError(
          'GET /api/v1/events is a WebSocket: connect with a WebSocket client (an Upgrade request); for one task over plain HTTP use GET /api/v1/tasks/:id/events.',
        );
      },
      wsHandler: (socket, request) => {
        const caller = app.engineConn.callerOf(request);
        const session = new EventSession(socket, caller, runtime, limits, request.log, () => {
          stats.slowConsumers++;
        });
        sessions.add(session);
        stats.sockets++;
        alive.add(socket);
        socket.on('pong', () => alive.add(socket));
        socket.on('message', (data, isBinary) => session.onMessage(data, isBinary));
        socket.on('close', () => {
          session.close();
          if (sessions.delete(session)) stats.sockets--;
        });
      },
    });
  };
  return Object.assign(plugin, { stats });
}

export const eventsWsPlugin: EventsWsPlugin = createEventsWsPlugin();
