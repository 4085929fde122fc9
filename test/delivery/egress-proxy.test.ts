/**
 * The egress proxy (issue 25): a forward proxy on loopback (CONNECT tunnels, written here with node:http) that every
 * delivery goes through, HOOKD_NO_PROXY bypassing it for a listed host, the OAuth2 token request through it too, and
 * the target checks applied by hookd to the receiver's resolved address before the proxy is asked.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Egress } from '../../src/delivery/egress-proxy.js';
import { HttpSender } from '../../src/delivery/http-sender.js';
import { TokenError } from '../../src/delivery/oauth2-tokens.js';
import { ReceiverAccess } from '../../src/delivery/receiver-access.js';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';

const servers: Server[] = [];
/**
 * host:port of each tunnel the proxy opened, and each of its connections onward as `localPort>remotePort`: a local
 * port alone is not proof, as the kernel may give one ephemeral port to connections to different destinations.
 */
const tunnels: string[] = [];
const proxyLinks = new Set<string>();
/** Each request a receiver got, as `peerPort>receiverPort`. */
const peers = new Map<string, string[]>();
let proxied: Server;
let direct: Server;
let proxiedUrl: string;
let directUrl: string;
let tokenUrl: string;
let tokenRequests = 0;
let proxyAddress: string;
let hookd: TestServer;
const clock = new TestClock();

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function receiver(name: string): Server {
  return createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/token') {
        tokenRequests++;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      // The save pings go the same way; the counts below are of deliveries.
      if (req.headers['x-hook-test'] !== 'true')
        peers.set(name, [...(peers.get(name) ?? []), `${req.socket.remotePort ?? 0}>${req.socket.localPort ?? 0}`]);
      res.end('ok');
    });
  });
}

before(async () => {
  const proxy = createServer();
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    tunnels.push(req.url ?? '');
    const upstream = connect(Number(port), host as string, () => {
      proxyLinks.add(`${upstream.localPort ?? 0}>${upstream.remotePort ?? 0}`);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const proxyPort = await listen(proxy);
  proxyAddress = `http://127.0.0.1:${proxyPort}`;
  proxied = receiver('proxied');
  direct = receiver('direct');
  const proxiedPort = await listen(proxied);
  const directPort = await listen(direct);
  proxiedUrl = `http://127.0.0.1:${proxiedPort}/hook`;
  directUrl = `http://127.0.0.1:${directPort}/hook`;
  tokenUrl = `http://127.0.0.1:${proxiedPort}/token`;
  hookd = await startHookd(
    { httpProxy: `http://127.0.0.1:${proxyPort}`, httpsProxy: `http://127.0.0.1:${proxyPort}`, noProxy: `127.0.0.1:${directPort}` },
    { clock },
  );
});

after(async () => {
  await hookd.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('the egress proxy', () => {
  it('carries every delivery; NO_PROXY hosts are reached directly; the token request goes through it too', async () => {
    for (const [url, extra] of [
      [proxiedUrl, {}],
      [directUrl, {}],
      [proxiedUrl, { ReceiverAuth: { OAuth2: { TokenUrl: tokenUrl, ClientId: 'c', ClientSecret: 's' } } }],
    ] as const) {
      const res = await call(hookd.url, 'POST', '/api/v1/Webhook', { body: webhookBody(url, { ...extra }) });
      assert.equal(res.status, 200, res.text.slice(0, 500));
    }
    for (let i = 1; i <= 20; i++) await call(hookd.url, 'POST', `/api/v1/Webhook/contact.created/${i}`, { body: {} });
    hookd.hookd.worker?.wake();
    await hookd.deliver();

    const viaProxy = peers.get('proxied') ?? [];
    const straight = peers.get('direct') ?? [];
    assert.equal(viaProxy.length, 40, 'both webhooks at the proxied receiver got all 20');
    assert.equal(straight.length, 20);
    assert.ok(
      viaProxy.every((p) => proxyLinks.has(p)),
      'every delivery to the proxied receiver came from a connection the proxy opened',
    );
    assert.ok(
      straight.every((p) => !proxyLinks.has(p)),
      'the NO_PROXY receiver was reached directly',
    );
    const directPort = new URL(directUrl).port;
    assert.ok(!tunnels.some((t) => t.endsWith(`:${directPort}`)), 'the proxy never saw the NO_PROXY host');
    assert.equal(tokenRequests, 1, 'one token for all (the save ping and 20 deliveries)');
    // Tunnels stay open and are reused: a second round of 40 deliveries opens few (6 here; the first round opened one per delivery in flight).
    const opened = tunnels.length;
    for (let i = 21; i <= 40; i++) await call(hookd.url, 'POST', `/api/v1/Webhook/contact.created/${i}`, { body: {} });
    hookd.hookd.worker?.wake();
    await hookd.deliver();
    assert.equal(peers.get('proxied')?.length, 80);
    assert.ok(tunnels.length - opened < 20, `${tunnels.length - opened} new tunnels for 40 more deliveries`);
  });
});

describe('target checks through a proxy', () => {
  it('refuses a receiver name that resolves to loopback or a private address before the proxy is asked', async () => {
    const egress = new Egress(
      { timeoutMs: 1000, responseBodyCapBytes: 1024, allowPrivateTargets: false, connectionsPerOrigin: 1 },
      { httpsProxy: 'http://proxy.invalid:3128', httpProxy: '', noProxy: '' },
    );
    const problem = await egress.checkHost('localhost');
    assert.equal(problem?.stage, 'target-check');
    assert.match(problem?.message ?? '', /localhost/);
    assert.equal((await egress.checkHost('127.0.0.1'))?.stage, 'target-check');
    const allowed = new Egress(
      { timeoutMs: 1000, responseBodyCapBytes: 1024, allowPrivateTargets: true, connectionsPerOrigin: 1 },
      { httpsProxy: 'http://proxy.invalid:3128', httpProxy: '', noProxy: '' },
    );
    assert.equal(await allowed.checkHost('localhost'), null);
  });

  it("resolves an OAuth2 token URL's name itself before the proxy is asked, as it does the receiver's", async () => {
    const sender = new HttpSender({ timeoutMs: 2000, responseBodyCapBytes: 1024, allowPrivateTargets: false, connectionsPerOrigin: 1 });
    const access = new ReceiverAccess(sender, 'hookd-test', () => Date.now(), {
      httpsProxy: proxyAddress,
      httpProxy: proxyAddress,
      noProxy: '',
    });
    const opened = tunnels.length;
    // .invalid never resolves (RFC 6761): hookd's own lookup fails, so the request is never handed to the proxy.
    const client = {
      tokenUrl: 'https://token.invalid/token',
      clientId: 'c',
      clientSecret: 's',
      scope: null,
      audience: null,
      method: 'client_secret_basic' as const,
    };
    await assert.rejects(access.tokens.token(client), (e: Error) => e instanceof TokenError && /before the proxy/.test(e.message));
    assert.equal(tunnels.length, opened, 'the proxy was never asked for the token URL');
    assert.equal(access.tokens.requests, 0);
    await access.close();
    await sender.close();
  });
});
