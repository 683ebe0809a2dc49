/**
 * `@engineconn/client/browser`: the SDK's modules that a web page can bundle. Nothing reachable from
 * here imports a Node API (`browser.test.ts` walks the compiled imports to keep it so); the transport,
 * the event socket's connection and the runtime-token files stay out because they do (node:tls, ws,
 * node:fs); the event socket's bookkeeping, `EventSubscriptions`, is in.
 * The web consoles use it; the wire types a page needs come from the protocol package, as types.
 */

export { backoffDelay, DEFAULT_RETRY, type RetryOptions } from './retry/backoff.js';
export { decodeRows, type ValueDecoder, valueDecoder } from './values/decode-values.js';
export { parseType, type TypeNode } from './values/type-syntax.js';
export { EventSubscriptions } from './ws/event-subscriptions.js';
