import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';

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
  /** Stops listening and drops waiting connections (start-up failed before a server took them). */
  close(): void;
}

export async function listenEarly(host: string, port: number): Promise<EarlyListener> {
  let waiting = new Set<Socket>();
  let target: HttpServer | null = null;
  const give = (server: HttpServer, socket: Socket) => {
    server.emit('connection', socket);
    socket.resume();
  };
  const listener = createServer({ pauseOnConnect: true }, (socket) => {
    if (target) return give(target, socket);
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ host, port }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  return {
    address: listener.address() as AddressInfo,
    handOver(server) {
      target = server;
      for (const socket of waiting) give(server, socket);
      waiting = new Set();
      server.once('close', () => listener.close());
    },
    close() {
      listener.close();
      for (const socket of waiting) socket.destroy();
      waiting = new Set();
    },
  };
}
