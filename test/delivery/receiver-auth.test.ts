/**
 * Receiver authentication with real servers on loopback (issue 25): an HTTPS receiver that requires a client
 * certificate signed by its own CA, and whose own certificate comes from a private CA; an OAuth2 token endpoint
 * and a receiver that takes only the tokens it issued; a receiver that wants basic auth. Deliveries run on a test
 * clock (token expiry moves with it); the TLS handshakes use real time.
 */
import assert from 'node:assert/strict';
import { createServer as createHttp, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { type Issued, type Pki, testPki } from '../helpers/pki.js';

let pki: Pki;
let serverCa: Issued;
let clientCa: Issued;
let clientCert: Issued;
let expiredCert: Issued;
let strangerCert: Issued;
const servers: Server[] = [];
let hookd: TestServer;
const clock = new TestClock();

/** What each receiver path saw: its Authorization headers (or the client certificate's subject). */
const seen = new Map<string, string[]>();
const record = (req: IncomingMessage, what: string) => {
  const list = seen.get(req.url ?? '') ?? [];
  list.push(what);
  seen.set(req.url ?? '', list);
};

let mtlsUrl: string;
let privateUrl: string;
let plainUrl: string;
let tokenUrl: string;

/** The token endpoint: issues numbered tokens; `tokenFailure` makes it answer 500. */
const issued = new Set<string>();
let tokenRequests: Array<{ authorization: string | undefined; form: URLSearchParams }> = [];
let tokenFailure = false;
let expiresIn = 3600;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function drain(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

before(async () => {
  pki = testPki();
  serverCa = pki.ca('Operator Root CA');
  clientCa = pki.ca('Receiver Client CA');
  const serverCert = pki.issue(serverCa, '127.0.0.1', { server: true });
  clientCert = pki.issue(clientCa, 'hookd-client');
  expiredCert = pki.issue(clientCa, 'hookd-expired', { days: -1 });
  strangerCert = pki.issue(pki.ca('Someone else'), 'stranger');

  // Requires a client certificate from clientCa; its own comes from the private serverCa.
  const mtls = createHttps(
    { cert: serverCert.cert, key: serverCert.key, ca: clientCa.cert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      void drain(req).then(() => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        record(req, String(peer.subject?.CN ?? 'none'));
        res.end('ok');
      });
    },
  );
  mtlsUrl = `https://127.0.0.1:${await listen(mtls)}`;
  // Only the private CA: no client certificate asked for.
  const privateCa = createHttps({ cert: serverCert.cert, key: serverCert.key }, (req, res) => {
    void drain(req).then(() => {
      record(req, 'tls');
      res.end('ok');
    });
  });
  privateUrl = `https://127.0.0.1:${await listen(privateCa)}`;
  // Bearer tokens it issued, or basic auth with alice's password.
  const plain = createHttp((req, res) => {
    void drain(req).then(() => {
      const authorization = req.headers.authorization ?? '';
      record(req, authorization);
      const bearer = authorization.startsWith('Bearer ') && issued.has(authorization.slice(7));
      const basic = authorization === `Basic ${Buffer.from('alice:pa55-word').toString('base64')}`;
      res.statusCode = (req.url?.startsWith('/oauth') ? bearer : basic) ? 200 : 401;
      res.end();
    });
  });
  plainUrl = `http://127.0.0.1:${await listen(plain)}`;
  const tokens = createHttp((req, res) => {
    void drain(req).then((body) => {
      tokenRequests.push({ authorization: req.headers.authorization, form: new URLSearchParams(body) });
      if (tokenFailure) {
        res.statusCode = 500;
        res.end('{"error":"server_error","error_description":"token service down"}');
        return;
      }
      const token = `tok-${tokenRequests.length}`;
      issued.add(token);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn }));
    });
  });
  tokenUrl = `http://127.0.0.1:${await listen(tokens)}/token`;
  hookd = await startHookd({ savePing: false }, { clock });
});

after(async () => {
  await hookd.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  pki.remove();
});

async function create(path: string, receiverAuth: unknown, base = mtlsUrl): Promise<number> {
  const res = await call(hookd.url, 'POST', '/api/v1/Webhook', {
    body: webhookBody(`${base}${path}`, { Events: ['contact.created'], ReceiverAuth: receiverAuth }),
  });
  assert.equal(res.status, 200, res.text.slice(0, 2000));
  return res.json.WebhookId as number;
}

/**
 * Signals `n` contact.created events and runs the worker until nothing more is due. The wake is the API's own on
 * SQLite; on PostgreSQL it comes later by NOTIFY, and until it does the worker still owns the webhook the test
 * deleted (its fair share full), so the test wakes it itself.
 */
async function signal(n = 1): Promise<void> {
  for (let i = 0; i < n; i++)
    assert.equal((await call(hookd.url, 'POST', `/api/v1/Webhook/contact.created/${i + 1}`, { body: {} })).status, 204);
  hookd.hookd.worker?.wake();
  await hookd.deliver();
}

async function lastAttempt(
  id: number,
): Promise<{ Outcome: string; Stage: string | null; Error: string | null; StatusCode: number | null }> {
  const log = await call(hookd.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`);
  // The newest delivery comes first, its attempts in order (AttemptIds are unique, not ordered in time: README).
  return log.json.Items[0].Attempts.at(-1);
}

/** Deletes a webhook and lets the worker see it gone (so it gives the webhook up before the next one is tried). */
async function remove(id: number): Promise<void> {
  await call(hookd.url, 'DELETE', `/api/v1/Webhook/${id}`);
  hookd.hookd.worker?.wake();
  await hookd.deliver();
}

describe('mutual TLS and private CAs', () => {
  it('a receiver that requires a client certificate refuses a webhook without one and accepts one with it', async () => {
    const without = await create('/without', { CaCertificates: serverCa.cert });
    await signal();
    const refused = await lastAttempt(without);
    assert.equal(refused.Outcome, 'failure');
    assert.equal(seen.get('/without'), undefined, 'no request reached the receiver');
    await remove(without);

    const withCert = await create('/with', {
      CaCertificates: serverCa.cert,
      ClientCertificate: { Certificate: clientCert.cert, Key: clientCert.key },
    });
    await signal(3);
    assert.deepEqual(seen.get('/with'), ['hookd-client', 'hookd-client', 'hookd-client']);
    assert.equal((await lastAttempt(withCert)).Outcome, 'success');

    // Shown by subject, fingerprint and expiry; the key never.
    const shown = await call(hookd.url, 'GET', `/api/v1/Webhook/${withCert}`);
    assert.equal(shown.json.ReceiverAuth.ClientCertificate.Subject, 'CN=hookd-client');
    assert.match(shown.json.ReceiverAuth.ClientCertificate.Fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(shown.json.ReceiverAuth.ClientCertificate.Expires, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      shown.json.ReceiverAuth.CaCertificates.map((c: { Subject: string }) => c.Subject),
      ['CN=Operator Root CA'],
    );
    assert.ok(!shown.text.includes('PRIVATE KEY'), 'the key is never returned');
    assert.ok(!shown.text.includes(clientCert.key.split('\n')[1] as string));
    await remove(withCert);
  });

  it('an expired client certificate is a failed attempt at the TLS stage', async () => {
    const id = await create('/expired', {
      CaCertificates: serverCa.cert,
      ClientCertificate: { Certificate: expiredCert.cert, Key: expiredCert.key },
    });
    await signal();
    const attempt = await lastAttempt(id);
    assert.equal(attempt.Outcome, 'failure');
    assert.equal(attempt.Stage, 'tls', attempt.Error ?? '');
    assert.equal(attempt.StatusCode, null);
    assert.equal(seen.get('/expired'), undefined);
    await remove(id);
  });

  it('a certificate from another CA is refused by the receiver', async () => {
    const id = await create('/stranger', {
      CaCertificates: serverCa.cert,
      ClientCertificate: { Certificate: strangerCert.cert, Key: strangerCert.key },
    });
    await signal();
    assert.equal((await lastAttempt(id)).Outcome, 'failure');
    assert.equal(seen.get('/stranger'), undefined);
    await remove(id);
  });

  it('a receiver whose certificate comes from a private CA: refused without the CA (TLS stage), accepted with it', async () => {
    const without = await create('/no-ca', null, privateUrl);
    await signal();
    const refused = await lastAttempt(without);
    assert.equal(refused.Stage, 'tls', refused.Error ?? '');
    assert.equal(seen.get('/no-ca'), undefined);
    await remove(without);

    const withCa = await create('/ca', { CaCertificates: serverCa.cert }, privateUrl);
    await signal(2);
    assert.deepEqual(seen.get('/ca'), ['tls', 'tls']);
    await remove(withCa);
  });

  it("a NetServer client's PUT without ReceiverAuth keeps it; the shown form sent back keeps it too; null removes it", async () => {
    const id = await create('/kept', {
      CaCertificates: serverCa.cert,
      ClientCertificate: { Certificate: clientCert.cert, Key: clientCert.key },
    });
    const netserverPut = await call(hookd.url, 'PUT', `/api/v1/Webhook/${id}`, {
      body: webhookBody(`${mtlsUrl}/kept`, { Name: 'renamed' }),
    });
    assert.equal(netserverPut.status, 200, netserverPut.text);
    const shown = (await call(hookd.url, 'GET', `/api/v1/Webhook/${id}`)).json;
    assert.equal(shown.Name, 'renamed');
    const roundTrip = await call(hookd.url, 'PUT', `/api/v1/Webhook/${id}`, { body: { ...shown, Name: 'again' } });
    assert.equal(roundTrip.status, 200, roundTrip.text);
    assert.deepEqual(roundTrip.json.ReceiverAuth, shown.ReceiverAuth);
    await signal();
    assert.deepEqual(seen.get('/kept'), ['hookd-client'], 'the stored key still signs the handshake');
    const cleared = await call(hookd.url, 'PUT', `/api/v1/Webhook/${id}`, { body: { ...shown, ReceiverAuth: null } });
    assert.equal('ReceiverAuth' in cleared.json, false, 'shown only when set');
    await remove(id);
  });
});

describe('OAuth2 client credentials', () => {
  it('one token serves 100 deliveries; a new one after expiry and after a 401; a failing token endpoint is an auth failure', async () => {
    tokenRequests = [];
    const id = await create(
      '/oauth',
      {
        OAuth2: {
          TokenUrl: tokenUrl,
          ClientId: 'hookd',
          ClientSecret: 'client-secret-xyz',
          Scope: 'events:write',
          Audience: 'https://api.example',
        },
      },
      plainUrl,
    );
    await signal(100);
    assert.equal(seen.get('/oauth')?.length, 100);
    assert.equal(tokenRequests.length, 1, 'one token request for 100 deliveries');
    assert.ok(seen.get('/oauth')?.every((a) => a === 'Bearer tok-1'));
    // client_secret_basic (the default): id and secret in Authorization, the grant in the form.
    const first = tokenRequests[0]!;
    assert.equal(first.authorization, `Basic ${Buffer.from('hookd:client-secret-xyz').toString('base64')}`);
    assert.deepEqual(Object.fromEntries(first.form), {
      grant_type: 'client_credentials',
      scope: 'events:write',
      audience: 'https://api.example',
    });

    // Past expiry (less the margin): a new token.
    clock.advance(3600_000);
    await signal();
    assert.equal(tokenRequests.length, 2);
    assert.equal(seen.get('/oauth')?.at(-1), 'Bearer tok-2');

    // The receiver revokes it: 401, one new token, the same delivery again, delivered.
    issued.clear();
    await signal();
    assert.equal(tokenRequests.length, 3);
    assert.deepEqual(seen.get('/oauth')?.slice(-2), ['Bearer tok-2', 'Bearer tok-3']);
    assert.equal((await lastAttempt(id)).Outcome, 'success');

    // The token endpoint fails: the attempt fails at `auth` with its answer, and the receiver never sees it.
    clock.advance(3600_000);
    tokenFailure = true;
    const before = seen.get('/oauth')?.length;
    await signal();
    const failed = await lastAttempt(id);
    assert.equal(failed.Outcome, 'failure');
    assert.equal(failed.Stage, 'auth');
    assert.equal(failed.StatusCode, null, 'not a receiver answer');
    assert.match(failed.Error ?? '', /HTTP\/1\.1 500/);
    assert.match(failed.Error ?? '', /token service down/);
    assert.equal(seen.get('/oauth')?.length, before, 'the receiver was never called');
    tokenFailure = false;

    const shown = await call(hookd.url, 'GET', `/api/v1/Webhook/${id}`);
    assert.deepEqual(shown.json.ReceiverAuth.OAuth2, {
      TokenUrl: tokenUrl,
      ClientId: 'hookd',
      Scope: 'events:write',
      Audience: 'https://api.example',
      Method: 'client_secret_basic',
    });
    assert.ok(!shown.text.includes('client-secret-xyz'), 'the client secret is never returned');
    await remove(id);
  });

  it('client_secret_post sends the id and secret in the form', async () => {
    tokenRequests = [];
    expiresIn = 60;
    const id = await create(
      '/oauth-post',
      { OAuth2: { TokenUrl: tokenUrl, ClientId: 'poster', ClientSecret: 's3', Method: 'client_secret_post' } },
      plainUrl,
    );
    await signal(2);
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0]!.authorization, undefined);
    assert.equal(tokenRequests[0]!.form.get('client_id'), 'poster');
    assert.equal(tokenRequests[0]!.form.get('client_secret'), 's3');
    // A 60 s token is renewed at half its life (30 s before it expires).
    clock.advance(31_000);
    await signal();
    assert.equal(tokenRequests.length, 2);
    expiresIn = 3600;
    await remove(id);
  });
});

describe('basic auth', () => {
  it('takes ReceiverAuth as JSON text in a form body, as it takes Filter', async () => {
    const form = new URLSearchParams({
      Name: 'form hook',
      Events: 'contact.created',
      TargetUrl: `${plainUrl}/basic-form`,
      ReceiverAuth: JSON.stringify({ Basic: { UserName: 'alice', Password: 'pa55-word' } }),
    });
    const res = await call(hookd.url, 'POST', '/api/v1/Webhook', {
      body: form.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual(res.json.ReceiverAuth, { Basic: { UserName: 'alice' } });
    await remove(res.json.WebhookId);
  });

  it('sends the user and password; the password is never returned', async () => {
    const id = await create('/basic', { Basic: { UserName: 'alice', Password: 'pa55-word' } }, plainUrl);
    await signal();
    assert.equal((await lastAttempt(id)).Outcome, 'success');
    const shown = await call(hookd.url, 'GET', `/api/v1/Webhook/${id}`);
    assert.deepEqual(shown.json.ReceiverAuth, { Basic: { UserName: 'alice' } });
    assert.ok(!shown.text.includes('pa55-word'));
    // The shown form sent back keeps the password.
    const put = await call(hookd.url, 'PUT', `/api/v1/Webhook/${id}`, { body: shown.json });
    assert.equal(put.status, 200, put.text);
    await signal();
    assert.equal((await lastAttempt(id)).Outcome, 'success');
    await remove(id);
  });
});

/** The audit records of one webhook, as text, and its updates' ReceiverAuth parts. */
async function auditOf(id: number): Promise<{ text: string; updates: unknown[] }> {
  const res = await call(hookd.url, 'GET', `/api/v1/Audit?WebhookId=${id}`);
  assert.equal(res.status, 200, res.text);
  const items = res.json.Items as Array<{ Action: string; Changes: { ReceiverAuth?: unknown } }>;
  return { text: res.text, updates: items.filter((r) => r.Action === 'webhook.update').map((r) => r.Changes.ReceiverAuth) };
}

const MERGE = { 'Content-Type': 'application/merge-patch+json' };

describe('rotating receiver credentials, like the secret: the next delivery uses the new ones, and the change is audited', () => {
  it('a client certificate and key replaced by PATCH: the next handshake presents the new certificate', async () => {
    const id = await create('/rotate-cert', {
      CaCertificates: serverCa.cert,
      ClientCertificate: { Certificate: clientCert.cert, Key: clientCert.key },
    });
    await signal();
    const next = pki.issue(clientCa, 'hookd-client-next');
    const patched = await call(hookd.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: MERGE,
      body: { ReceiverAuth: { ClientCertificate: { Certificate: next.cert, Key: next.key } } },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.ReceiverAuth.ClientCertificate.Subject, 'CN=hookd-client-next');
    await signal(2);
    assert.deepEqual(seen.get('/rotate-cert'), ['hookd-client', 'hookd-client-next', 'hookd-client-next']);
    assert.equal((await lastAttempt(id)).Outcome, 'success');
    const audit = await auditOf(id);
    assert.deepEqual(audit.updates, [['ClientCertificate']]);
    for (const pem of [clientCert.key, next.key]) {
      for (const line of pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
        assert.ok(!audit.text.includes(line), 'no line of a key is in the audit log');
    }
    assert.ok(!audit.text.includes('PRIVATE KEY'));
    await remove(id);
  });

  it('an OAuth2 client secret replaced by PATCH: the cached token of the old secret is not used, a new one is fetched', async () => {
    tokenRequests = [];
    const id = await create(
      '/oauth-rotate',
      { OAuth2: { TokenUrl: tokenUrl, ClientId: 'rotor', ClientSecret: 'old-client-secret' } },
      plainUrl,
    );
    await signal();
    assert.equal(tokenRequests.length, 1);
    const patched = await call(hookd.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: MERGE,
      body: { ReceiverAuth: { OAuth2: { ClientSecret: 'new-client-secret' } } },
    });
    assert.equal(patched.status, 200, patched.text);
    await signal(2);
    assert.equal(tokenRequests.length, 2, 'one new token for the new secret, then reused');
    assert.equal(tokenRequests[1]!.authorization, `Basic ${Buffer.from('rotor:new-client-secret').toString('base64')}`);
    assert.equal((await lastAttempt(id)).Outcome, 'success');
    const audit = await auditOf(id);
    assert.deepEqual(audit.updates, [['OAuth2']]);
    assert.ok(!audit.text.includes('old-client-secret') && !audit.text.includes('new-client-secret'));
    await remove(id);
  });

  it('a basic-auth password replaced by PATCH: the next delivery sends the new one', async () => {
    const id = await create('/basic-rotate', { Basic: { UserName: 'alice', Password: 'old-pass-word' } }, plainUrl);
    await signal();
    assert.equal((await lastAttempt(id)).StatusCode, 401, 'the receiver takes only the new password');
    const patched = await call(hookd.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: MERGE,
      body: { ReceiverAuth: { Basic: { Password: 'pa55-word' } } },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.json.ReceiverAuth, { Basic: { UserName: 'alice' } });
    await signal();
    assert.equal(seen.get('/basic-rotate')?.at(-1), `Basic ${Buffer.from('alice:pa55-word').toString('base64')}`);
    assert.equal((await lastAttempt(id)).Outcome, 'success');
    const audit = await auditOf(id);
    assert.deepEqual(audit.updates, [['Basic']]);
    assert.ok(!audit.text.includes('old-pass-word') && !audit.text.includes('pa55-word'));
    await remove(id);
  });
});
