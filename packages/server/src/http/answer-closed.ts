import type { FastifyReply } from 'fastify';

/**
 * Aborts once the answer is closed: sent in full, or the caller disconnected first. What a wait, a
 * stream following a set still being written, or a request proxied to an engine stops on, so a
 * caller gone holds no waiter, no file and no engine request.
 */
export function answerClosed(reply: FastifyReply): AbortSignal {
  const closed = new AbortController();
  // A caller gone while the request was authenticated left the answer closed already: no 'close' comes.
  if (reply.raw.destroyed) closed.abort();
  else reply.raw.once('close', () => closed.abort());
  return closed.signal;
}
