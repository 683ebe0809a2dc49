import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isManagerReportEvent, type ManagerReportEvent, parseManagerReport } from '@engineconn/core/manager';
import { waitFor } from '@engineconn/testkit';

export interface ReceivedReport {
  event: ManagerReportEvent;
  id: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of whichever report arrived
  body: any;
}

/**
 * A manager stand-in for end-to-end tests: a node:http server that validates every report with the
 * shared zod schemas and records it. It can go down (stop listening) and come back on the same port.
 */
export class ManagerReceiver {
  readonly reports: ReceivedReport[] = [];
  readonly invalid: string[] = [];
  #server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const match = /^\/api\/v1\/engineconns\/([^/]+)\/([a-z]+)$/.exec(req.url ?? '');
      const event = match?.[2];
      if (req.method !== 'POST' || !match || !isManagerReportEvent(event)) {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = parseManagerReport(event, JSON.parse(Buffer.concat(chunks).toString('utf8')));
        this.reports.push({ event, id: decodeURIComponent(match[1] as string), body });
        res.writeHead(204).end();
      } catch (err) {
        this.invalid.push(`${event}: ${(err as Error).message}`);
        res.writeHead(400).end();
      }
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Stops listening (the manager is down); `start()` brings it back on the same port. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }

  /** Reports as `register`, `status:Busy`, `heartbeat`, `release:Success`. */
  events(filter: (r: ReceivedReport) => boolean = () => true): string[] {
    return this.reports
      .filter(filter)
      .map((r) => (r.event === 'status' || r.event === 'release' ? `${r.event}:${r.body.status}` : r.event));
  }

  /** The events without heartbeats: the lifecycle the manager saw. */
  lifecycle(): string[] {
    return this.events((r) => r.event !== 'heartbeat');
  }

  async waitForEvent(event: string, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => this.events(), {
      until: (events) => events.includes(event),
      timeoutMs,
      what: `the manager to receive ${event}`,
    });
  }
}
