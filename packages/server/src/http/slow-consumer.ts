/**
 * One bound for every live-event client, WebSocket and SSE alike: a client whose unsent data stays
 * above `highWaterBytes` for `stallTimeoutMs` is told EC_SLOW_CONSUMER and disconnected, and
 * resumes after the last seq it received. Until then its stream stops reading the journal, so a
 * slow client costs the EngineConn its own buffer, never the task's whole event history.
 */
export interface SlowConsumerLimits {
  /** Bytes queued for the client above which its stream stops reading its journal. */
  highWaterBytes: number;
  /** How long the queue may stay above the high-water mark before the client is cut off. */
  stallTimeoutMs: number;
  /**
   * After the EC_SLOW_CONSUMER message, how long to wait for the client to read it (it is queued
   * behind what the client has not read yet) before dropping the connection.
   */
  closeGraceMs: number;
}

export const SLOW_CONSUMER_LIMITS: SlowConsumerLimits = {
  highWaterBytes: 1024 * 1024,
  stallTimeoutMs: 10_000,
  closeGraceMs: 30_000,
};

export function slowConsumerMessage(queuedBytes: number, stalledMs: number, resume: string): string {
  return `This client fell too far behind (${Math.round(queuedBytes / 1024)} KiB unsent for ${Math.round(stalledMs / 1000)}s) and is disconnected; ${resume}`;
}
