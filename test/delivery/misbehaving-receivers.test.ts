/**
 * Receivers that misbehave — never answer, drip one byte a second, send a huge body, reset the
 * connection, answer with something that is not HTTP, redirect forever — each cost one failed attempt
 * with a clear LastError, bounded by the attempt timeout and the body cap, while a healthy webhook
 * beside them gets every event.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, type TestServer, waitUntil, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const TIMEOUT_MS = 1500;
const CAP = 4096;
const servers: Array<HttpServer | TcpServer> = [];
const sockets = new Set<Socket>();
const timers: NodeJS.Timeout[] = [];
let hookd: TestServer;
let healthy: Receiver;

async function listen(server: HttpServer | TcpServer): Promise<string> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const behaviours: Record<string, () => HttpServer | TcpServer> = {
  'never answers': () => createHttpServer((req) => req.resume()),
  'drips one byte a second': () =>
    createTcpServer((socket) => {
      const answer = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      let i = 0;
      socket.on('data', () => undefined);
      const t = setInterval(
        () => (i < answer.length && !socket.destroyed ? socket.write(answer.subarray(i++, i)) : clearInterval(t)),
        1000,
      );
      timers.push(t);
    }),
  'sends a huge body': () =>
    createHttpServer((req, res: ServerResponse) => {
      req.resume();
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    }),
  'resets the connection': () => createTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy())),
  'answers with something that is not HTTP': () =>
    createTcpServer((socket) => socket.once('data', () => socket.end('SMTP ready, not HTTP at all\r\n\r\n'))),
  'redirects forever': () =>
    createHttpServer((req, res) => {
      req.resume();
      res.writeHead(302, { Location: req.url ?? '/' });
      res.end();
    }),
};

const expectedError: Record<string, RegExp> = {
  'never answers': new RegExp(
    `^\\[timeout\\] No complete answer within ${TIMEOUT_MS} ms \\((TimeoutError|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)\\)$`,
  ),
  'drips one byte a second': new RegExp(
    `^\\[timeout\\] No complete answer within ${TIMEOUT_MS} ms \\((TimeoutError|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)\\)$`,
  ),
  'sends a huge body': /^HTTP\/1\.1 500 Internal Server Error\r\n[\s\S]*\r\n\r\nx+$/,
  'resets the connection': /^\[network\] ECONNRESET: /,
  'answers with something that is not HTTP': /^\[network\] Response does not match the HTTP\/1\.1 protocol/,
  'redirects forever': /^HTTP\/1\.1 302 Found\r\n[\s\S]*location: \//,
};

const ids: Record<string, number> = {};

before(async () => {
  healthy = await Receiver.start();
  hookd = await startHookd({
    attemptTimeoutMs: TIMEOUT_MS,
    responseBodyCapBytes: CAP,
    savePing: false,
    retryDelaysMs: ['60000', '60000'],
    maxConsecutiveErrors: 1000,
  });
  for (const [name, make] of Object.entries(behaviours)) {
    const url = await listen(make());
    const res = await call(hookd.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${url}/hook`, { Name: name }) });
    assert.equal(res.status, 200, res.text);
    ids[name] = res.json.WebhookId as number;
  }
  await call(hookd.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${healthy.url}/ok`, { Name: 'healthy' }) });
});

after(async () => {
  await hookd.close();
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  await healthy.close();
});

describe('misbehaving receivers', () => {
  it('each costs one failed attempt with a clear LastError, and the healthy webhook gets every event', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ EventName: 'contact.created', PrimaryKey: i + 1 }));
    const signalled = await call(hookd.url, 'POST', '/api/v1/Webhook/Events', { body: items });
    assert.equal(signalled.headers.get('x-hookd-deliveries'), String(50 * (Object.keys(behaviours).length + 1)));

    await healthy.waitFor(50, 15_000);
    await waitUntil(
      async () => {
        for (const id of Object.values(ids)) {
          const w = await call(hookd.url, 'GET', `/api/v1/Webhook/${id}`);
          if (w.json.LastError === '') return false;
        }
        return true;
      },
      20_000,
      'a failed attempt at every misbehaving receiver',
    );
    for (const [name, id] of Object.entries(ids)) {
      const w = (await call(hookd.url, 'GET', `/api/v1/Webhook/${id}`)).json;
      assert.match(w.LastError as string, expectedError[name]!, `${name}: ${JSON.stringify(w.LastError)}`);
      assert.ok((w.LastError as string).length <= CAP + 1024, `${name}: LastError is bounded (${(w.LastError as string).length})`);
      assert.ok(w.TotalErrors >= 1 && w.TotalErrors === w.TotalCalls, `${name}: ${w.TotalErrors} errors of ${w.TotalCalls} calls`);
      assert.equal(w.State, 'Active', `${name}: a few failures do not switch it off`);
      const log = (await call(hookd.url, 'GET', `/api/v1/Webhook/${id}/Deliveries?$top=100`)).json;
      assert.equal(log.Total, 50, `${name}: every event is kept, queued`);
      const attempts = (log.Items as Array<{ Status: string; Attempts: Array<{ Outcome: string }> }>).flatMap((d) => d.Attempts);
      assert.ok(attempts.length >= 1 && attempts.every((a) => a.Outcome !== 'success'), `${name}: no attempt counted as a success`);
      assert.ok(
        (log.Items as Array<{ Status: string }>).every((d) => d.Status === 'queued'),
        `${name}: nothing marked delivered`,
      );
    }
  });
});
