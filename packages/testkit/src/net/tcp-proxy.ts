import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server, for tests of what a client sees when the network or
 * the server fails: `cutAll()` drops the open connections (a network failure mid-stream; new
 * connections still go through), `down()` also stops listening (a server that died: resets, then
 * refused connections) and `up()` listens again on the same port (the server back).
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<[Socket, Socket]>();
  #server: Server | undefined;
  #port = 0;
  /** Connections accepted so far. */
  connections = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port) });
    await proxy.up();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Connections open now. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Listens (again, on the same port after `down()`). */
  async up(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      this.connections++;
      const upstream = createConnection(this.#target);
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.#pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Closes every open connection, both ways, at once; returns how many there were. */
  cutAll(): number {
    return this.#cut((socket) => socket.destroy());
  }

  /** Resets every connection and stops listening. */
  async down(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#cut((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.down();
  }

  #cut(end: (socket: Socket) => void): number {
    const n = this.#pairs.size;
    for (const [client, upstream] of [...this.#pairs]) {
      end(client);
      end(upstream);
    }
    this.#pairs.clear();
    return n;
  }
}
