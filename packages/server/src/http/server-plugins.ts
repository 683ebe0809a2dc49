import type { FastifyPluginAsync } from 'fastify';
import { consolePlugin } from '../console/console-plugin.js';
import { openApiPlugin } from './openapi/openapi-plugin.js';
import { eventsWsPlugin } from './ws/events-ws.js';

/**
 * The route modules every served EngineConn adds to the core API (WebSocket events, console,
 * metrics): one import and one entry each. They reach the runtime and auth through `app.engineConn`,
 * and the root auth hook already covers their routes (mark probes `config: { public: true }`).
 */
export const SERVER_PLUGINS: readonly FastifyPluginAsync[] = [eventsWsPlugin, openApiPlugin, consolePlugin];
