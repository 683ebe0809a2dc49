import {
  EngineConnError,
  type ErrorCode,
  errorCodeForStatus,
  isErrorCode,
  statusOf,
} from '@engineconn/protocol/constants';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { drainBody } from './protocol-errors.js';

/** Sends the contract's error body with the status the registry gives its code. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(statusOf(code)).send({ error: { code, message } });
}

/** Maps fastify's own request errors (body parsing, limits) to the contract's codes. */
function fromFastifyError(err: FastifyError, bodyLimit: number): EngineConnError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new EngineConnError(
        'EC_PAYLOAD_TOO_LARGE',
        `The request body is larger than the limit of ${bodyLimit} bytes (start the EngineConn with a larger --body-limit).`,
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new EngineConnError('EC_BAD_REQUEST', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new EngineConnError(
        'EC_UNSUPPORTED_MEDIA_TYPE',
        'Unsupported content-type: send the request body as application/json.',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new EngineConnError('EC_BAD_REQUEST', 'The request body size does not match its Content-Length.');
    default:
      break;
  }
  // Any other client error fastify raises (bad URL encoding, malformed headers) is the caller's fault:
  // the code of its status.
  const status = err.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new EngineConnError(errorCodeForStatus(status), err.message);
  }
  return null;
}

/**
 * Installs the one error handler and the 404 handler: every failure leaves as the contract's
 * `{"error": {"code", "message"}}`, and nothing a caller sends can crash the process.
 */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  const routes = new RouteMethods();
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));

  app.setErrorHandler(async (thrown: unknown, request, reply) => {
    // A plain Error carrying an EC_* code (e.g. from an engine package) keeps its code.
    const err = isErrorCode((thrown as { code?: unknown } | null)?.code) ? EngineConnError.from(thrown) : thrown;
    if (err instanceof EngineConnError) {
      // 503s (shutting down, unhealthy) are expected answers, not faults.
      if (err.status === 500) request.log.error({ err }, 'request failed');
      return reply.code(err.status).send({ error: err.toJSON() });
    }
    const mapped = isFastifyError(err) ? fromFastifyError(err, bodyLimit) : null;
    if (mapped?.code === 'EC_PAYLOAD_TOO_LARGE') {
      // The client may still be sending: read the rest so it gets the 413 rather than a reset.
      if (!(await drainBody(request.raw))) reply.header('connection', 'close');
    }
    if (mapped) return reply.code(mapped.status).send({ error: mapped.toJSON() });
    request.log.error({ err }, 'unexpected error while handling a request');
    return sendError(reply, 'EC_INTERNAL', 'An unexpected error occurred; the EngineConn log has the details.');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routes.methodsOf(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return sendError(
        reply.header('allow', allowed.join(', ')),
        'EC_METHOD_NOT_ALLOWED',
        `${path} does not take ${request.method}; it takes ${allowed.join(', ')}.`,
      );
    }
    return sendError(reply, 'EC_NOT_FOUND', `No route ${request.method} ${path}.`);
  });
}

/** Every route's path pattern and methods, so a known path with the wrong method is a 405, not a 404. */
class RouteMethods {
  readonly #routes: { pattern: RegExp; methods: Set<string> }[] = [];

  add(url: string, method: string | string[]): void {
    // A catch-all route (static files) would make every unknown path a 405.
    if (url.includes('*')) return;
    // `:param` matches one path segment.
    const source = url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    let entry = this.#routes.find((r) => r.pattern.source === pattern.source);
    if (!entry) {
      entry = { pattern, methods: new Set() };
      this.#routes.push(entry);
    }
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m);
  }

  methodsOf(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.#routes) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort();
  }
}

/**
 * Routing faults fastify raises before any handler or error handler runs (bad URL encoding, an
 * over-long path parameter); passed as fastify's `frameworkErrors` option.
 */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode;
  const code =
    typeof status === 'number' && status >= 400 && status < 500 ? errorCodeForStatus(status) : 'EC_BAD_REQUEST';
  void sendError(reply, code, err.message);
}

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}
