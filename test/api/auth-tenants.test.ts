/** Authentication schemes and their refusals, tenant isolation and application-token ownership. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd();
});
after(async () => {
  await server.close();
  await receiver.close();
});

describe('authentication', () => {
  const refusals: Array<[string, string | null, string]> = [
    ['no Authorization header', null, 'unauthorized'],
    ['an unknown scheme', 'Digest abc', 'unauthorized'],
    ['a wrong password', basic('admin', 'wrong'), 'invalid_credentials'],
    ['an unknown user', basic('nobody', 'x'), 'invalid_credentials'],
    ['garbage Basic', 'Basic !!!', 'invalid_credentials'],
    ['an unknown Bearer token', 'Bearer hkd_nope', 'invalid_credentials'],
    ['an unknown ticket', 'SoTicket 7T_nope', 'invalid_credentials'],
  ];
  for (const [what, auth, code] of refusals) {
    it(`refuses ${what} with 401 ${code}`, async () => {
      const res = await call(server.url, 'GET', '/api/v1/Webhook', { auth });
      assert.equal(res.status, 401);
      assert.equal(res.json.Error, true);
      assert.equal(res.json.ErrorType, 'SoAuthenticationException');
      assert.equal(res.json.ErrorCode, code);
    });
  }

  it('accepts Basic', async () => {
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook', { auth: basic() })).status, 200);
  });

  it('issues Bearer tokens that work until revoked, and lists them without their secret', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Auth/Tokens', { body: { Name: 'ci' } });
    assert.equal(created.status, 200);
    const token = created.json.Token as string;
    assert.match(token, /^hkd_/);
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook', { auth: `Bearer ${token}` })).status, 200);
    const list = await call(server.url, 'GET', '/api/v1/Auth/Tokens', { auth: `Bearer ${token}` });
    assert.ok(list.json.some((t: any) => t.TokenId === created.json.TokenId && t.Name === 'ci' && !('Token' in t)));
    assert.equal((await call(server.url, 'DELETE', `/api/v1/Auth/Tokens/${created.json.TokenId}`)).status, 204);
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook', { auth: `Bearer ${token}` })).status, 401);
  });

  it('issues SoTickets, usable as Authorization or as a cookie with a matching X-XSRF-TOKEN', async () => {
    const res = await call(server.url, 'POST', '/api/v1/Auth/Ticket');
    assert.equal(res.status, 200);
    const ticket = res.json.Ticket as string;
    const xsrf = res.json.XsrfToken as string;
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook', { auth: `SoTicket ${ticket}` })).status, 200);
    const cookie = `hookd_ticket=${ticket}; XSRF-TOKEN=${xsrf}`;
    const withHeader = await call(server.url, 'GET', '/api/v1/Webhook', { auth: null, headers: { Cookie: cookie, 'X-XSRF-TOKEN': xsrf } });
    assert.equal(withHeader.status, 200);
    const without = await call(server.url, 'GET', '/api/v1/Webhook', { auth: null, headers: { Cookie: cookie } });
    assert.equal(without.status, 401);
    assert.equal(without.json.ErrorCode, 'xsrf_token_invalid');
    const wrong = await call(server.url, 'GET', '/api/v1/Webhook', { auth: null, headers: { Cookie: cookie, 'X-XSRF-TOKEN': `${xsrf}x` } });
    assert.equal(wrong.status, 401);
  });

  it('serves health and the OpenAPI document without credentials', async () => {
    assert.equal((await call(server.url, 'GET', '/healthz', { auth: null })).status, 200);
    const doc = await call(server.url, 'GET', '/api/v1/openapi.json', { auth: null });
    assert.equal(doc.status, 200);
    assert.equal(doc.json.openapi, '3.1.0');
    for (const path of [
      '/api/v1/Webhook',
      '/api/v1/Webhook/{id}',
      '/api/v1/Webhook/{id}/LastError',
      '/api/v1/Webhook/Test',
      '/api/v1/Webhook/{eventName}/{primaryKey}',
      '/api/v1/Agents/Webhook/{method}',
      '/api/v1/Tenant',
    ]) {
      assert.ok(doc.json.paths[path], `OpenAPI lists ${path}`);
    }
    assert.ok(doc.json.paths['/api/v1/Webhook'].post.requestBody, 'the body schema is in the document');
  });
});

describe('tenants', () => {
  let acme: string;
  before(async () => {
    const res = await call(server.url, 'POST', '/api/v1/Tenant', {
      body: { ContextIdentifier: 'Cust1234', UserName: 'ann', Password: 'ann-password' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.ApiBase, `${server.url}/Cust1234/api/v1`);
    acme = basic('ann', 'ann-password');
  });

  it('keeps each tenant to its own webhooks', async () => {
    const mine = await call(server.url, 'POST', '/Cust1234/api/v1/Webhook', {
      auth: acme,
      body: webhookBody(`${receiver.url}/acme`, { Name: 'acme hook' }),
    });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.json._Links.Self, `${server.url}/Cust1234/api/v1/Webhook/${mine.json.WebhookId}`);
    const theirs = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/default`, { Name: 'default hook' }),
    });
    const acmeList = await call(server.url, 'GET', '/Cust1234/api/v1/Webhook', { auth: acme });
    assert.deepEqual(
      acmeList.json.map((w: any) => w.Name),
      ['acme hook'],
    );
    const defaultList = await call(server.url, 'GET', '/api/v1/Webhook');
    assert.ok(!defaultList.json.some((w: any) => w.Name === 'acme hook'));
    for (const [method, path] of [
      ['GET', `/Cust1234/api/v1/Webhook/${theirs.json.WebhookId}`],
      ['DELETE', `/Cust1234/api/v1/Webhook/${theirs.json.WebhookId}`],
      ['GET', `/Cust1234/api/v1/Webhook/${theirs.json.WebhookId}/LastError`],
      ['GET', `/Cust1234/api/v1/Webhook/${theirs.json.WebhookId}/Deliveries`],
    ] as const) {
      assert.equal((await call(server.url, method, path, { auth: acme })).status, 404, `${method} ${path}`);
    }
    const put = await call(server.url, 'PUT', `/Cust1234/api/v1/Webhook/${theirs.json.WebhookId}`, {
      auth: acme,
      body: webhookBody(`${receiver.url}/x`),
    });
    assert.equal(put.status, 404);
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${theirs.json.WebhookId}`)).json.Name, 'default hook');
  });

  it("refuses a tenant's user in another tenant, and lets the administrator act in every tenant", async () => {
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook', { auth: acme })).status, 401);
    const admin = await call(server.url, 'GET', '/Cust1234/api/v1/Webhook');
    assert.equal(admin.status, 200);
    assert.deepEqual(
      admin.json.map((w: any) => w.Name),
      ['acme hook'],
    );
  });

  it('answers 404 for an unknown tenant and 403 when a non-administrator creates a tenant', async () => {
    const unknown = await call(server.url, 'GET', '/Nope/api/v1/Webhook');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.ErrorCode, 'tenant_not_found');
    const forbidden = await call(server.url, 'POST', '/Cust1234/api/v1/Tenant', {
      auth: acme,
      body: { ContextIdentifier: 'Other', UserName: 'x', Password: 'xxxxxxxx' },
    });
    assert.equal(forbidden.status, 403);
    const dup = await call(server.url, 'POST', '/api/v1/Tenant', {
      body: { ContextIdentifier: 'cust1234', UserName: 'x', Password: 'xxxxxxxx' },
    });
    assert.equal(dup.status, 409);
    const bad = await call(server.url, 'POST', '/api/v1/Tenant', { body: { ContextIdentifier: 'a b', UserName: '', Password: 'x' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.json.Errors.map((e: any) => e.Property),
      ['ContextIdentifier', 'UserName', 'Password'],
    );
  });
});

describe('application tokens (SO-AppToken)', () => {
  it('lets only the registering application change or delete its webhook, and shows apps only their own', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', {
      headers: { 'SO-AppToken': 'app-A' },
      body: webhookBody(`${receiver.url}/app`, { Name: 'app A hook' }),
    });
    assert.equal(created.status, 200);
    const id = created.json.WebhookId;
    const asB = { 'SO-AppToken': 'app-B' };
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${id}`, { headers: asB })).status, 404);
    assert.ok(!(await call(server.url, 'GET', '/api/v1/Webhook', { headers: asB })).json.some((w: any) => w.WebhookId === id));
    const listA = await call(server.url, 'GET', '/api/v1/Webhook', { headers: { 'SO-AppToken': 'app-A' } });
    assert.deepEqual(
      listA.json.map((w: any) => w.WebhookId),
      [id],
    );
    // A user without the token can see it, but not change or delete it.
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).status, 200);
    const put = await call(server.url, 'PUT', `/api/v1/Webhook/${id}`, { body: webhookBody(`${receiver.url}/app`, { Name: 'hijack' }) });
    assert.equal(put.status, 403);
    assert.equal(put.json.ErrorCode, 'app_token_mismatch');
    assert.equal((await call(server.url, 'DELETE', `/api/v1/Webhook/${id}`)).status, 403);
    const patch = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { Name: 'x' },
    });
    assert.equal(patch.status, 403);
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json.Name, 'app A hook');
    const byA = await call(server.url, 'PUT', `/api/v1/Webhook/${id}`, {
      headers: { 'SO-AppToken': 'app-A' },
      body: webhookBody(`${receiver.url}/app`, { Name: 'renamed by A' }),
    });
    assert.equal(byA.status, 200);
    assert.equal((await call(server.url, 'DELETE', `/api/v1/Webhook/${id}`, { headers: { 'SO-AppToken': 'app-A' } })).status, 204);
  });
});

describe('security headers', () => {
  it('are on every answer: success, error, 404 and health', async () => {
    for (const [path, auth] of [
      ['/api/v1/Webhook', undefined],
      ['/api/v1/Webhook/999999', undefined],
      ['/api/v1/Nope', undefined],
      ['/api/v1/Webhook', null],
      ['/healthz', null],
    ] as const) {
      const res = await call(server.url, 'GET', path, { auth });
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
  });
});
