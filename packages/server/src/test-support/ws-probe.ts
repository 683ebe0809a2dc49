import { waitFor } from '@engineconn/testkit';
import WebSocket from 'ws';

export interface WsMessage {
  type: string;
  taskId?: string;
  seq?: number;
  event?: string;
  data?: unknown;
  code?: string;
  message?: string;
}

/** A raw WebSocket client for protocol tests: it records every message and close code. */
export class WsProbe {
  readonly messages: WsMessage[] = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => this.messages.push(JSON.parse(raw.toString()) as WsMessage));
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  static async open(baseUrl: string, options: { token?: string | null; queryToken?: string } = {}): Promise<WsProbe> {
    const url = new URL('/api/v1/events', baseUrl);
    url.protocol = 'ws:';
    if (options.queryToken) url.searchParams.set('token', options.queryToken);
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    const ws = new WebSocket(url, { headers });
    const probe = new WsProbe(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return probe;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  events(taskId?: string): WsMessage[] {
    return this.messages.filter((m) => m.type === 'event' && (taskId === undefined || m.taskId === taskId));
  }

  errors(): WsMessage[] {
    return this.messages.filter((m) => m.type === 'error');
  }

  /** Resolves once `taskId`'s `done` event has arrived. */
  async untilDone(taskId: string, timeoutMs = 30_000): Promise<WsMessage[]> {
    await waitFor(() => this.events(taskId).some((m) => m.event === 'done'), { timeoutMs, what: `done of ${taskId}` });
    return this.events(taskId);
  }

  async nextError(count = 1, timeoutMs = 30_000): Promise<WsMessage> {
    await waitFor(() => this.errors().length >= count, { timeoutMs, what: `error message #${count}` });
    return this.errors()[count - 1] as WsMessage;
  }

  close(): void {
    this.ws.terminate();
  }
}
