import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { SLOW_CONSUMER_LIMITS } from '../slow-consumer.js';
import { EventSession, type EventSessionLimits } from './event-session.js';

export interface EventsWsOptions extends Partial<EventSessionLimits> {
  /** Largest message a client may send; bigger ones close the socket with 1009. */
  maxMessageBytes?: number;
  /** Ping interval; a client that does not answer one ping before the next is dropped. 0 = off. */
  pingIntervalMs?: number;
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

  const plugin: FastifyPluginAsync = async function eventsWs(app) {
    if (!app.hasDecorator('websocketServer')) {
      await app.register(websocket, { options: { maxPayload: options.maxMessageBytes ?? 64 * 1024 } });
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

    app.get(
      '/api/v1/events',
      {
        websocket: true,
        // The root auth hook reads only the header; this route authenticates itself to accept `?token=`.
        config: { public: true },
        onRequest: async (request) => {
          request.caller = authenticator.authenticate(
            { authorization: authorizationOf(request) },
            request.socket.remoteAddress,
          );
        },
      },
      (socket, request) => {
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
    );
  };
  return Object.assign(plugin, { stats });
}

export const eventsWsPlugin: EventsWsPlugin = createEventsWsPlugin();
