import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ManagerReportEvent } from '@engineconn/protocol';
import { isManagerReportEvent } from '@engineconn/protocol/manager';
import { waitFor } from '../testing/wait-for.js';
import { parseManagerReport } from './parse-report.js';

export interface ReceivedReport {
  event: ManagerReportEvent;
  id: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of whichever report arrived
  body: any;
}

/** How the fake manager answers the next request: a status code, 'hang' (never answers) or 'hold' (answers 200 on release). */
export type Answer = number | 'hang' | 'hold';

/**
 * A manager stand-in for tests: records every report it accepts (validated with the shared schemas;
 * an invalid one fails the test through `invalid`), and answers as the test scripts it.
 */
export class ReportReceiver {
  readonly reports: ReceivedReport[] = [];
  /** Every request, accepted or not, in arrival order. */
  readonly attempts: { event: string; answer: Answer; authorization: string | undefined }[] = [];
  readonly invalid: string[] = [];
  /** Answers for the next requests, consumed in order; when empty, `fallback` answers. */
  script: Answer[] = [];
  fallback: Answer = 200;
  readonly #held: (() => void)[] = [];
  readonly #hanging = new Set<ServerResponse>();
  /** The predicates tests are waiting on, checked at every arrival (see waitFor). */
  readonly #watches = new Set<() => void>();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  url = '';

  async start(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  events(): string[] {
    return this.reports.map((r) => (r.event === 'status' ? `status:${r.body.status}` : r.event));
  }

  /** Answers every held request with 200. */
  releaseHeld(): void {
    for (const release of this.#held.splice(0)) release();
  }

  /** Waits until `predicate` holds; a timeout names the reports received so far. */
  /**
   * Waits until `predicate` has held: it is checked at every request's arrival and answer too, so a
   * passing state (`attempts.length === 1` before the retry comes) is not missed between two polls.
   * A timeout names the reports received so far.
   */
  async waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void> {
    let held = false;
    const watch = () => {
      held ||= predicate();
    };
    this.#watches.add(watch);
    try {
      await waitFor(
        () => {
          watch();
          return this.events();
        },
        { until: () => held, what: 'the reports the test expects', timeoutMs },
      );
    } finally {
      this.#watches.delete(watch);
    }
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.releaseHeld();
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/api\/v1\/engineconns\/([^/]+)\/([a-z]+)$/.exec(req.url ?? '');
    const event = match?.[2];
    const answer = this.script.shift() ?? this.fallback;
    this.attempts.push({
      event: event ?? String(req.url),
      answer,
      authorization: req.headers.authorization,
    });
    this.#watch();
    if (answer === 'hang') {
      this.#hanging.add(res);
      return;
    }
    if (answer === 'hold') await new Promise<void>((resolve) => this.#held.push(resolve));
    const status = answer === 'hold' ? 200 : answer;
    if (status >= 200 && status < 300 && match && isManagerReportEvent(event)) {
      try {
        const body = parseManagerReport(event, JSON.parse(Buffer.concat(chunks).toString('utf8')));
        this.reports.push({ event, id: decodeURIComponent(match[1] as string), body });
      } catch (err) {
        this.invalid.push(`${event}: ${(err as Error).message}`);
        res.writeHead(400).end();
        return;
      }
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    this.#watch();
  }

  #watch(): void {
    for (const watch of this.#watches) watch();
  }
}
