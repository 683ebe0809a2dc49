import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_CODES, type ErrorCode } from '@engineconn/core';

/*
 * The answers Node gives before any route runs, in the contract's error format: a request whose
 * headers are too large (431) or that does not parse as HTTP (400), and the body of a request past
 * the body limit, read and discarded so the client gets its 413 instead of a reset connection.
 */

function errorResponse(code: ErrorCode, message: string): string {
  const status = ERROR_CODES[code].status;
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** fastify's `clientErrorHandler`: Node's parser errors answered as `{"error": {code, message}}`. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let response: string;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    response = errorResponse(
      'EC_HEADERS_TOO_LARGE',
      'The request headers are larger than the server accepts (16 KiB in all); send fewer or shorter headers.',
    );
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    response = errorResponse('EC_BAD_REQUEST', 'The request did not arrive in time; send it again.');
  } else {
    response = errorResponse(
      'EC_BAD_REQUEST',
      `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'}); check the request line and headers.`,
    );
  }
  if (socket.writable) socket.end(response);
  socket.destroySoon();
}

/** How much of an oversized body is read and discarded before answering 413 anyway. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/**
 * Reads and discards what is left of a request's body (at most DRAIN_MAX_BYTES, DRAIN_MAX_MS), so
 * the 413 that follows reaches a client still sending: closing a socket with unread data resets
 * the connection, and the client may never read the answer. Resolves false when the body was too
 * large to drain (the answer then closes the connection).
 */
export function drainBody(request: IncomingMessage): Promise<boolean> {
  if (request.complete || request.readableEnded || request.destroyed) return Promise.resolve(true);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > DRAIN_MAX_BYTES) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    let bytes = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onEnd);
      request.off('close', onEnd);
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DRAIN_MAX_BYTES) finish(false);
    };
    const onEnd = () => finish(request.complete);
    const timer = setTimeout(() => finish(false), DRAIN_MAX_MS);
    timer.unref();
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onEnd);
    request.on('close', onEnd);
    request.resume();
  });
}
