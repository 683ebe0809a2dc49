import type { Server, Socket } from 'node:net';

/**
 * Bytes written to clients, read from the sockets themselves: every response, SSE stream and
 * WebSocket frame is counted, hijacked replies included, and nothing runs per request. Open sockets
 * are read when scraped; a closing socket hands over its last count.
 */
export class BytesServed {
  readonly #open = new Map<Socket, number>();
  #pending = 0;
  readonly #detach: (() => void)[] = [];

  /** Starts counting the server's connections; returns a function that stops it. */
  track(server: Server): () => void {
    const onConnection = (socket: Socket) => {
      this.#open.set(socket, 0);
      socket.once('close', () => {
        const seen = this.#open.get(socket);
        if (seen === undefined) return;
        this.#pending += socket.bytesWritten - seen;
        this.#open.delete(socket);
      });
    };
    server.on('connection', onConnection);
    const detach = () => server.off('connection', onConnection);
    this.#detach.push(detach);
    return detach;
  }

  /** Bytes written since the previous call. */
  collect(): number {
    let total = this.#pending;
    this.#pending = 0;
    for (const [socket, seen] of this.#open) {
      const now = socket.bytesWritten;
      total += now - seen;
      this.#open.set(socket, now);
    }
    return total;
  }

  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
    this.#open.clear();
  }
}
