/**
 * A real HTTP receiver on loopback that records every request (raw body bytes, headers in the order
 * received, arrival time) and answers as the test tells it.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Header names in the order they arrived. */
  headerOrder: string[];
  body: Buffer;
  at: number;
}

export type Responder = (req: Received, res: ServerResponse) => void | Promise<void>;

export const ok: Responder = (_req, res) => {
  res.end('ok');
};

export function status(code: number, body = ''): Responder {
  return (_req, res) => {
    res.statusCode = code;
    res.end(body);
  };
}

export class Receiver {
  readonly received: Received[] = [];
  respond: Responder = ok;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(respond: Responder = ok): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const receiver = new Receiver(server, `http://127.0.0.1:${port}`);
    receiver.respond = respond;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headerOrder: string[] = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) headerOrder.push(req.rawHeaders[i] as string);
        const r: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          headerOrder,
          body: Buffer.concat(chunks),
          at: Date.now(),
        };
        const isTest = req.headers['x-hook-test'] === 'true';
        if (!isTest) receiver.received.push(r);
        Promise.resolve(isTest ? ok(r, res) : receiver.respond(r, res)).catch(() => res.destroy());
        receiver.notify();
      });
    });
    return receiver;
  }

  /** Deliveries that were not save-time pings. */
  get count(): number {
    return this.received.length;
  }

  json(i: number): Record<string, unknown> {
    return JSON.parse((this.received[i] as Received).body.toString('utf8'));
  }

  /** Resolves when `count` requests (pings excluded) have arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver got ${this.received.length} of ${count} requests in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.received.length >= w.count) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
