/**
 * Behind a reverse proxy and on https of its own (issue 20, finding 6), with real servers on loopback:
 * - HOOKD_TRUST_PROXY: a trusted proxy's X-Forwarded-For, -Proto and -Host count (the /metrics allow list
 *   and the login lockout see the real client), anyone else's are ignored. Other loopback addresses
 *   (127.0.0.2 and .3, a client's localAddress) play untrusted peers.
 * - HOOKD_PUBLIC_URL: every link starts with it, whatever Host or X-Forwarded-Host say; unset and not in
 *   --dev, links are relative (api/links.ts has the rule).
 * - HOOKD_TLS_CERT/HOOKD_TLS_KEY: https with a certificate made for this run by openssl; Secure cookies.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { loadConfig } from '../../src/config/settings.js';
import { selfSignedCertificate, type TestCertificate } from '../helpers/certificate.js';
import { basic, type TestServer, startHookd } from '../helpers/harness.js';

const EVIL = 'evil.example';
const PROXY = '127.0.0.1';
const STRANGER = '127.0.0.2';
/** Another untrusted peer, for cases after STRANGER has been locked out. */
const STRANGER2 = '127.0.0.3';

/** Clients that connect from a chosen loopback address (and, for https, trust the test's certificate). */
const agents = new Map<string, Agent>();
function agentFrom(localAddress: string, ca?: string): Agent {
  const id = `${localAddress}|${ca ?? ''}`;
  let agent = agents.get(id);
  if (!agent) {
    agent = new Agent({ localAddress, ...(ca ? { connect: { ca } } : {}) });
    agents.set(id, agent);
  }
  return agent;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
  text: string;
}

async function send(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: { from?: string; headers?: Record<string, string>; auth?: string | null; body?: unknown; ca?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.auth !== null) headers.authorization = options.auth ?? basic();
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    dispatcher: agentFrom(options.from ?? PROXY, options.ca),
  });
  const text = await res.body.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.statusCode, headers: res.headers, json, text };
}

/** The Set-Cookie lines of an answer. */
function cookies(reply: Reply): string[] {
  const value = reply.headers['set-cookie'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

const viaProxy = (client: string, more: Record<string, string> = {}) => ({ 'x-forwarded-for': client, ...more });

after(async () => {
  await Promise.all([...agents.values()].map((a) => a.close()));
});

describe('HOOKD_TRUST_PROXY', () => {
  let server: TestServer;
  before(async () => {
    server = await startHookd({
      trustProxy: [PROXY],
      metricsAllow: ['127.0.0.1/32'],
      loginFailureLimit: 2, // ten failures (five times the limit) lock an address out
      publicUrl: '',
      allowPrivateTargets: false,
      savePing: false,
    });
  });
  after(async () => server.close());

  it('/metrics sees the client behind a trusted proxy; an untrusted peer cannot claim an allowed address', async () => {
    assert.equal((await send(server.url, 'GET', '/metrics', { auth: null })).status, 200, 'the proxy itself is on the allow list');
    const outsider = await send(server.url, 'GET', '/metrics', { auth: null, headers: viaProxy('203.0.113.9') });
    assert.equal(outsider.status, 403, 'a client on the internet, forwarded by the proxy, is not on loopback');
    const spoof = await send(server.url, 'GET', '/metrics', { auth: null, from: STRANGER, headers: viaProxy(PROXY) });
    assert.equal(spoof.status, 403, "an untrusted peer's X-Forwarded-For is ignored");
  });

  it('the login lockout counts per real client, and an untrusted peer cannot escape it by changing X-Forwarded-For', async () => {
    for (let i = 0; i < 10; i++) {
      const guess = await send(server.url, 'GET', '/api/v1/Webhook', { auth: basic(`guess${i}`, 'x'), headers: viaProxy('203.0.113.1') });
      assert.equal(guess.status, 401);
    }
    const locked = await send(server.url, 'GET', '/api/v1/Webhook', { headers: viaProxy('203.0.113.1') });
    assert.equal(locked.status, 429, 'the guessing client is locked out, even with the right password');
    const neighbour = await send(server.url, 'GET', '/api/v1/Webhook', { headers: viaProxy('203.0.113.2') });
    assert.equal(neighbour.status, 200, 'another client behind the same proxy is not');

    for (let i = 0; i < 10; i++) {
      const headers = viaProxy(`198.51.100.${i}`);
      assert.equal(
        (await send(server.url, 'GET', '/api/v1/Webhook', { from: STRANGER, auth: basic(`other${i}`, 'x'), headers })).status,
        401,
      );
    }
    const stranger = await send(server.url, 'GET', '/api/v1/Webhook', { from: STRANGER, headers: viaProxy('198.51.100.99') });
    assert.equal(stranger.status, 429, 'the untrusted peer is counted by its own address');
  });

  it("cookies are Secure when a trusted proxy says the browser is on https; an untrusted peer's X-Forwarded-Proto is ignored", async () => {
    const proxied = await send(server.url, 'POST', '/api/v1/Auth/Ticket', {
      headers: viaProxy('203.0.113.3', { 'x-forwarded-proto': 'https' }),
    });
    assert.equal(proxied.status, 200, proxied.text);
    assert.equal(cookies(proxied).length, 2);
    for (const c of cookies(proxied)) assert.match(c, /; Secure/);
    const stranger = await send(server.url, 'POST', '/api/v1/Auth/Ticket', {
      from: STRANGER2,
      headers: viaProxy('203.0.113.3', { 'x-forwarded-proto': 'https' }),
    });
    assert.equal(stranger.status, 200, stranger.text);
    for (const c of cookies(stranger)) assert.doesNotMatch(c, /; Secure/);
  });

  it('without HOOKD_PUBLIC_URL and outside --dev, links are relative: no Host, forwarded or not, reaches one', async () => {
    const headers = { host: EVIL, 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'https' };
    const portal = await send(server.url, 'POST', '/api/v1/Portal/Token', { headers, body: {} });
    assert.equal(portal.status, 200, portal.text);
    assert.match(portal.json.Url, /^\/portal\/#token=ptl_/);
    const tenant = await send(server.url, 'POST', '/api/v1/Tenant', {
      headers,
      body: { ContextIdentifier: 'Rel1', UserName: 'rel', Password: 'rel-password-1' },
    });
    assert.equal(tenant.status, 200, tenant.text);
    assert.equal(tenant.json.ApiBase, '/Rel1/api/v1');
  });
});

describe('HOOKD_PUBLIC_URL', () => {
  let server: TestServer;
  before(async () => {
    // In --dev (allowPrivateTargets), where Host would otherwise make the links: the public URL still wins.
    server = await startHookd({ trustProxy: [PROXY], publicUrl: 'https://hooks.example.com/', savePing: false });
  });
  after(async () => server.close());

  it('every link starts with it, whatever Host and a trusted X-Forwarded-Host say', async () => {
    const spoofs: Array<Record<string, string>> = [{ host: EVIL }, { 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'http' }];
    for (const headers of spoofs) {
      const portal = await send(server.url, 'POST', '/api/v1/Portal/Token', { headers, body: {} });
      assert.equal(portal.status, 200, portal.text);
      assert.match(portal.json.Url, /^https:\/\/hooks\.example\.com\/portal\/#token=ptl_/);
      const created = await send(server.url, 'POST', '/api/v1/Webhook', {
        headers,
        body: { Name: 'linked', Events: ['contact.created'], TargetUrl: 'http://127.0.0.1:9/hook' },
      });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json._Links.Self, `https://hooks.example.com/api/v1/Webhook/${created.json.WebhookId}`);
      const job = await send(server.url, 'POST', `/api/v1/Webhook/${created.json.WebhookId}/Recover`, { headers, body: { Since: '1h' } });
      assert.equal(job.status, 202, job.text);
      assert.match(String(job.headers.location), /^https:\/\/hooks\.example\.com\/api\/v1\/Jobs\/\d+$/);
      const tenant = await send(server.url, 'POST', '/api/v1/Tenant', {
        headers,
        body: { ContextIdentifier: `Pub${created.json.WebhookId}`, UserName: 'pub', Password: 'pub-password-1' },
      });
      assert.equal(tenant.json.ApiBase, `https://hooks.example.com/Pub${created.json.WebhookId}/api/v1`);
      for (const answer of [portal, created, job, tenant]) assert.doesNotMatch(answer.text, /evil\.example/);
    }
  });

  it('an https public URL makes the cookies Secure', async () => {
    const res = await send(server.url, 'POST', '/api/v1/Auth/Ticket');
    for (const c of cookies(res)) assert.match(c, /; Secure/);
  });
});

describe('HOOKD_TLS_CERT and HOOKD_TLS_KEY', () => {
  let tls: TestCertificate;
  let cert = '';
  let certPath = '';
  let keyPath = '';
  let dir = '';
  let server: TestServer;
  before(async () => {
    tls = selfSignedCertificate();
    ({ cert, certPath, keyPath, dir } = tls);
    const { config, errors } = loadConfig({ HOOKD_TLS_CERT: certPath, HOOKD_TLS_KEY: keyPath });
    assert.deepEqual(errors, []);
    server = await startHookd({ tlsCert: config.tlsCert, tlsKey: config.tlsKey });
  });
  after(async () => {
    await server.close();
    tls.remove();
  });

  it('serves https with the certificate, and its cookies are Secure', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await send(server.url, 'GET', '/healthz', { auth: null, ca: cert });
    assert.equal(health.status, 200);
    const ticket = await send(server.url, 'POST', '/api/v1/Auth/Ticket', { ca: cert });
    assert.equal(ticket.status, 200, ticket.text);
    assert.equal(cookies(ticket).length, 2);
    for (const c of cookies(ticket)) assert.match(c, /; Secure/);
    await assert.rejects(send(server.url, 'GET', '/healthz', { auth: null }), 'a client that does not trust the certificate is refused');
    await assert.rejects(send(server.url.replace('https:', 'http:'), 'GET', '/healthz', { auth: null }), 'no plain http on the port');
  });

  it('both or neither, and files that are a certificate and its key: clear errors at start', () => {
    const only = loadConfig({ HOOKD_TLS_CERT: certPath }).errors;
    assert.deepEqual(only, [
      'HOOKD_TLS_CERT and HOOKD_TLS_KEY go together: set both (PEM files) for https, or neither (only HOOKD_TLS_CERT is set)',
    ]);
    const missing = loadConfig({ HOOKD_TLS_CERT: certPath, HOOKD_TLS_KEY: join(dir, 'nope.pem') }).errors;
    assert.equal(missing.length, 1);
    assert.match(missing[0] as string, /^HOOKD_TLS_KEY cannot be read: ENOENT/);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const swapped = loadConfig({ HOOKD_TLS_CERT: notPem, HOOKD_TLS_KEY: keyPath }).errors;
    assert.equal(swapped.length, 1);
    assert.match(swapped[0] as string, /^HOOKD_TLS_CERT and HOOKD_TLS_KEY are not a PEM certificate and its private key/);
  });

  it('the other listener settings are checked too', () => {
    const { errors } = loadConfig({
      HOOKD_TRUST_PROXY: '10.0.0.0/8,loopback,proxy.example',
      HOOKD_PUBLIC_URL: 'https://hooks.example.com/?x=1',
    });
    assert.deepEqual(errors, [
      "HOOKD_TRUST_PROXY must list addresses or networks such as 10.0.0.5, 10.0.0.0/8 or loopback (got 'proxy.example')",
      "HOOKD_PUBLIC_URL must be an http or https address without query, fragment or credentials, e.g. https://hooks.example.com (got 'https://hooks.example.com/?x=1')",
    ]);
  });
});
