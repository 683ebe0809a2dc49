import { lookup } from 'node:dns/promises';
import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

/**
 * The port, bound before the EngineConn exists. Binding comes first so that a port in use fails
 * the start before the engine's session opens, and so that a process started as root binds (a
 * privileged port, if asked) before it gives up root and the session starts as its user. The
 * HTTP server needs the runtime, so it is built after: connections that arrive meanwhile wait,
 * paused, and are handed to it with every later one.
 */
export interface EarlyListener {
  readonly address: AddressInfo;
  /** Hands every connection, waiting or future, to `server`; stops listening when `server` closes. */
  handOver(server: HttpServer): void;
  /**
   * Resolves once every connection handed to the server has closed, closing each as it turns idle.
   * The server never accepted them itself, so its own close() does not wait for them.
   */
  drained(): Promise<void>;
  /** Stops listening and drops waiting connections (start-up failed before a server took them). */
  close(): void;
}

/** How often a draining server's connections are checked for having turned idle. */
const DRAIN_CHECK_MS = 50;

/**
 * How long a connection may wait for the server: Node's own `headersTimeout`, the time an HTTP
 * server gives a client to send its request. A held connection cannot be read, so the bound counts
 * from its arrival; past it the connection is dropped (a client retries), so one that connects
 * and sends nothing while start-up is slow does not hold a socket until start-up ends. Once handed
 * over, the server's own timeouts apply.
 */
export const HELD_CONNECTION_TIMEOUT_MS = 60_000;

export interface EarlyListenerOptions {
  /** Default HELD_CONNECTION_TIMEOUT_MS. */
  heldTimeoutMs?: number;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** `localhost` is bound on each of its addresses (127.0.0.1 and ::1), as the HTTP server would. */
async function hostsOf(host: string): Promise<string[]> {
  if (host !== 'localhost') return [host];
  const found = await lookup(host, { all: true }).catch(() => []);
  return found.length > 0 ? [...new Set(found.map((a) => a.address))] : [host];
}

export async function listenEarly(
  host: string,
  port: number,
  { heldTimeoutMs = HELD_CONNECTION_TIMEOUT_MS }: EarlyListenerOptions = {},
): Promise<EarlyListener> {
  let waiting = new Set<Socket>();
  let target: HttpServer | null = null;
  const served = new Set<Socket>();
  const drop = function (this: Socket) {
    this.destroy();
  };
  const give = (server: HttpServer, socket: Socket) => {
    socket.setTimeout(0);
    socket.off('timeout', drop);
    served.add(socket);
    socket.once('close', () => served.delete(socket));
    server.emit('connection', socket);
    socket.resume();
  };
  const onConnection = (socket: Socket) => {
    if (target) return give(target, socket);
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
    // A paused socket reads nothing, so this fires `heldTimeoutMs` after it arrived.
    socket.setTimeout(heldTimeoutMs);
    socket.on('timeout', drop);
  };
  const listeners: Server[] = [];
  const close = () => {
    for (const listener of listeners) listener.close();
    for (const socket of waiting) socket.destroy();
    waiting = new Set();
  };
  try {
    // The first address picks the port (for port 0) and must bind; the others take the same port
    // where they can (a machine without IPv6 has no ::1), as the HTTP server's own binding does.
    const [first, ...others] = await hostsOf(host);
    const primary = createServer({ pauseOnConnect: true }, onConnection);
    await listen(primary, first ?? host, port);
    listeners.push(primary);
    const bound = (primary.address() as AddressInfo).port;
    for (const address of others) {
      const listener = createServer({ pauseOnConnect: true }, onConnection);
      if (
        await listen(listener, address, bound).then(
          () => true,
          () => false,
        )
      )
        listeners.push(listener);
    }
  } catch (err) {
    close();
    throw err;
  }
  return {
    address: listeners[0]?.address() as AddressInfo,
    handOver(server) {
      target = server;
      // An HTTP server starts tracking its connections (for closeAllConnections() and its header and
      // request timeouts) when it emits 'listening'; it never listens itself, so it is told here.
      server.emit('listening');
      for (const socket of waiting) give(server, socket);
      waiting = new Set();
      server.once('close', () => {
        for (const listener of listeners) listener.close();
      });
    },
    drained() {
      const server = target;
      if (!server) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const check = () => {
          server.closeIdleConnections();
          if (served.size > 0) return;
          clearInterval(timer);
          resolve();
        };
        // Not unref()ed: the shutdown awaits it, and the caller's force-close bounds it.
        const timer = setInterval(check, DRAIN_CHECK_MS);
        check();
      });
    },
    close,
  };
}
