/**
 * The close codes of `GET /api/v1/events` besides the standard ones (1000 normal, 1001 going away,
 * 1009 message too big): the one place both ends read them from.
 */
export const WS_CLOSE_CODES = {
  /** The client fell too far behind; reconnect and resubscribe after the last seq received. */
  slowConsumer: 4008,
} as const;
export type WsCloseCode = (typeof WS_CLOSE_CODES)[keyof typeof WS_CLOSE_CODES];
