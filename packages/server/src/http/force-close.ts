/**
 * How long a shutdown waits for connections to finish before cutting them: the HTTP server's
 * connections (closeServer) and WebSocket clients that do not answer the close frame (the events
 * plugin, since Node stops tracking a connection once it is upgraded) share this one bound.
 */
export const FORCE_CLOSE_MS = 2000;
