import { BadRequestError } from '@engineconn/core';
import type { FastifyInstance } from 'fastify';

/** A key that would reach an object's prototype if the body were merged into another object. */
function poisonKey(key: string, value: unknown): boolean {
  return (
    key === '__proto__' ||
    (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
  );
}

/**
 * Parses a JSON body. `__proto__` (and `constructor.prototype`) keys are refused with a message
 * that names them: merged into another object later (labels, properties, settings) they would
 * change its prototype. Only bodies that contain the text are checked key by key.
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!text.includes('__proto__') && !text.includes('constructor')) return value;
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      const at = Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (poisonKey(key, child)) {
        throw new BadRequestError(
          `The request body has a '${key}' key at '${at}'; such keys are refused because they can change an object's prototype. Rename the key.`,
        );
      }
      walk(child, at);
    }
  };
  walk(value, '');
  return value;
}

/**
 * The one JSON body parser. Routes with an optional body (kill, lock, shutdown) are often called
 * with a JSON content-type and no body: that is "no body", not an empty-JSON error.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  // Bodies are JSON only (the request guard answers 415 to anything else, before any parsing).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
