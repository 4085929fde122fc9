/**
 * Tenants and applications are enforced on every route: a caller of another tenant, or another
 * application (SO-AppToken) of the same tenant, gets nothing of a webhook, its deliveries or its
 * owner's tokens, and can change nothing. The route list comes from the OpenAPI document (plus the RPC
 * methods), and the test fails when a route has no case here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Answer, basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;
let hookId: number;
let deliveryId: number;
/** A recover job of tenant A's. */
let jobId: number;
let adminToken: { id: number; token: string };
const APP = { 'SO-AppToken': 'app-A' };
const SECRET = 'tenant-a-secret-value';
const NAME = 'tenant A private hook';

before(async () => {
  receiver = await Receiver.start();
  // A test clock: deliveries happen when the test calls server.deliver(), so "never reaches" is exact.
  server = await startHookd({}, { clock: new TestClock() });
  const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
    body: { ContextIdentifier: 'TenantB', UserName: 'bob', Password: 'bob-password' },
  });
  assert.equal(tenant.status, 200, tenant.text);
  const created = await call(server.url, 'POST', '/api/v1/Webhook', {
    headers: APP,
    body: webhookBody(`${receiver.url}/a`, { Name: NAME, Secret: SECRET, Events: ['contact.created'] }),
  });
  hookId = created.json.WebhookId;
  await call(server.url, 'POST', '/api/v1/Webhook/contact.created/1', { body: {} });
  await server.deliver();
  assert.equal(receiver.received.length, 1);
  deliveryId = (await call(server.url, 'GET', `/api/v1/Webhook/${hookId}/Deliveries`)).json.Items[0].DeliveryId;
  jobId = (await call(server.url, 'POST', `/api/v1/Webhook/${hookId}/Recover`, { body: { Since: '1h' } })).json.JobId;
  assert.ok(Number.isInteger(jobId));
  const token = await call(server.url, 'POST', '/api/v1/Auth/Tokens', { body: { Name: 'admin token' } });
  adminToken = { id: token.json.TokenId, token: token.json.Token };
  assert.ok(Number.isInteger(adminToken.id) && adminToken.token.length > 20);
});
after(async () => {
  await server.close();
  await receiver.close();
});

type Case = { method: string; path: string; body?: unknown; expect: number[] };

/** What another tenant's user may do with tenant A's things, route by route (paths relative to the API root). */
function otherTenantCases(): Record<string, Case[]> {
  // With receiver credentials too (issue 25): another tenant's webhook id takes none of them.
  const carrier = webhookBody(`${receiver.url}/b`, {
    Name: 'taken over',
    ReceiverAuth: { Basic: { UserName: 'eve', Password: 'eve-pass' } },
  });
  return {
    'GET /Webhook': [{ method: 'GET', path: '/Webhook', expect: [200] }],
    'POST /Webhook': [
      { method: 'POST', path: '/Webhook', body: webhookBody(`${receiver.url}/b`, { Name: 'B hook', WebhookId: hookId }), expect: [200] },
    ],
    'GET /Webhook/default': [{ method: 'GET', path: '/Webhook/default', expect: [200] }],
    'POST /Webhook/Test': [{ method: 'POST', path: '/Webhook/Test', body: webhookBody(`${receiver.url}/b`), expect: [200] }],
    'POST /Webhook/Events': [
      { method: 'POST', path: '/Webhook/Events', body: [{ EventName: 'contact.created', PrimaryKey: 2 }], expect: [204] },
    ],
    'POST /Webhook/{eventName}/{primaryKey}': [{ method: 'POST', path: '/Webhook/contact.created/3', body: {}, expect: [204] }],
    'GET /Webhook/{id}': [{ method: 'GET', path: `/Webhook/${hookId}`, expect: [404] }],
    'PUT /Webhook/{id}': [{ method: 'PUT', path: `/Webhook/${hookId}`, body: carrier, expect: [404] }],
    'PATCH /Webhook/{id}': [
      { method: 'PATCH', path: `/Webhook/${hookId}`, body: [{ op: 'replace', path: '/Name', value: 'x' }], expect: [404] },
    ],
    'DELETE /Webhook/{id}': [{ method: 'DELETE', path: `/Webhook/${hookId}`, expect: [404] }],
    'GET /Webhook/{id}/LastError': [{ method: 'GET', path: `/Webhook/${hookId}/LastError`, expect: [404] }],
    'GET /Webhook/{id}/Deliveries': [{ method: 'GET', path: `/Webhook/${hookId}/Deliveries`, expect: [404] }],
    'POST /Webhook/{id}/Deliveries/{deliveryId}/Retry': [
      { method: 'POST', path: `/Webhook/${hookId}/Deliveries/${deliveryId}/Retry`, expect: [404] },
    ],
    'POST /Auth/Ticket': [{ method: 'POST', path: '/Auth/Ticket', expect: [200] }],
    'GET /Auth/Tokens': [{ method: 'GET', path: '/Auth/Tokens', expect: [200] }],
    // Tenant B's own portal token: scoped to tenant B (test/api/portal-and-pages.test.ts shows what it sees).
    'POST /Portal/Token': [{ method: 'POST', path: '/Portal/Token', body: {}, expect: [200] }],
    'POST /Auth/Tokens': [{ method: 'POST', path: '/Auth/Tokens', body: { Name: 'bob token' }, expect: [200] }],
    'DELETE /Auth/Tokens/{id}': [{ method: 'DELETE', path: `/Auth/Tokens/${adminToken.id}`, expect: [404] }],
    'POST /Tenant': [
      { method: 'POST', path: '/Tenant', body: { ContextIdentifier: 'Third', UserName: 'x', Password: 'xxxxxxxx' }, expect: [403] },
    ],
    'GET /Webhook/{id}/Stats': [{ method: 'GET', path: `/Webhook/${hookId}/Stats`, expect: [404] }],
    'POST /Webhook/Filter/Test': [
      {
        method: 'POST',
        path: '/Webhook/Filter/Test',
        body: { Filter: { Entity: 'contact' }, Payload: { Entity: 'contact' } },
        expect: [200],
      },
    ],
    'POST /Webhook/{id}/Secret/Rotate': [{ method: 'POST', path: `/Webhook/${hookId}/Secret/Rotate`, body: {}, expect: [404] }],
    'POST /Webhook/{id}/Secret/Confirm': [{ method: 'POST', path: `/Webhook/${hookId}/Secret/Confirm`, expect: [404] }],
    'POST /Webhook/{id}/Recover': [{ method: 'POST', path: `/Webhook/${hookId}/Recover`, body: { Since: '1h' }, expect: [404] }],
    // Tenant B's own (empty) tenant: a count of nothing.
    'POST /Webhook/Recover': [{ method: 'POST', path: '/Webhook/Recover?DryRun=true', body: { Since: '1h' }, expect: [200] }],
    'GET /Jobs/{id}': [{ method: 'GET', path: `/Jobs/${jobId}`, expect: [404] }],
    'GET /Retention': [{ method: 'GET', path: '/Retention', expect: [200] }],
    'PUT /Retention': [{ method: 'PUT', path: '/Retention', body: { DeliveryRetentionDays: 1 }, expect: [403] }],
    'POST /Associate': [{ method: 'POST', path: '/Associate', body: { UserName: 'eve', Password: 'xxxxxxxx' }, expect: [403] }],
    // Associate 1 is tenant A's administrator.
    'GET /Associate/{id}': [{ method: 'GET', path: '/Associate/1', expect: [404] }],
    // Tenant B's own associates only (test/api/webhook-list-usage.test.ts checks the names).
    'GET /Associate': [{ method: 'GET', path: '/Associate', expect: [200] }],
    'GET /Notifications': [{ method: 'GET', path: '/Notifications', expect: [200] }],
    'GET /timezone': [{ method: 'GET', path: '/timezone', expect: [200] }],
    // Application grants are the installation's: only its administrator reads or changes them (issue 23).
    'GET /AppAccess': [{ method: 'GET', path: '/AppAccess', expect: [403] }],
    'POST /AppAccess': [{ method: 'POST', path: '/AppAccess', body: { AppToken: 'app-B' }, expect: [403] }],
    'DELETE /AppAccess/{hash}': [{ method: 'DELETE', path: `/AppAccess/${'0'.repeat(64)}`, expect: [403] }],
    // Tenant B's own audit log: tenant A's changes (its webhook's name, its token) never show (issue 25).
    'GET /Audit': [
      { method: 'GET', path: '/Audit', expect: [200] },
      { method: 'GET', path: `/Audit?WebhookId=${hookId}`, expect: [200] },
    ],
    // The archive lists tenant B's own webhooks (none); tenant A's never show (issue 23).
    'GET /archive/{provider}': [
      { method: 'GET', path: '/archive/Webhook', expect: [200] },
      { method: 'GET', path: `/archive/dynamic?$filter=webhook_usage.webhook_usage_id eq ${hookId}`, expect: [200] },
    ],
    'POST /Agents/Archive/{method}': [
      {
        method: 'POST',
        path: '/Agents/Archive/GetArchiveListByColumns',
        body: { ProviderName: 'Webhook', Columns: ['name', 'targetUrl', 'webhookUsage/lastError'] },
        expect: [200],
      },
    ],
    'POST /Agents/Webhook/{method}': [
      // Agents answer what the caller cannot see with null, as NetServer's do for a missing entity.
      { method: 'POST', path: '/Agents/Webhook/GetWebhook', body: { WebhookId: hookId }, expect: [200] },
      { method: 'POST', path: '/Agents/Webhook/SaveWebhook', body: { ...carrier, WebhookId: hookId }, expect: [200] },
      { method: 'POST', path: '/Agents/Webhook/DeleteWebhook', body: { WebhookId: hookId }, expect: [204] },
      { method: 'POST', path: '/Agents/Webhook/GetLastError', body: { WebhookId: hookId }, expect: [200] },
      { method: 'POST', path: '/Agents/Webhook/GetAllWebhooks', body: {}, expect: [200] },
      { method: 'POST', path: '/Agents/Webhook/SignalEvent', body: { EventName: 'contact.created', PrimaryKey: 4 }, expect: [204] },
      { method: 'POST', path: '/Agents/Webhook/CreateDefaultWebhook', body: {}, expect: [200] },
      { method: 'POST', path: '/Agents/Webhook/TestWebhook', body: { Webhook: webhookBody(`${receiver.url}/b`) }, expect: [200] },
    ],
  };
}

/** Nothing of tenant A's may show in an answer. */
function assertNothingLeaks(what: string, res: Answer): void {
  for (const needle of [NAME, SECRET, adminToken.token, 'app-A', `${receiver.url}/a`]) {
    assert.ok(!res.text.includes(needle), `${what} leaks '${needle}': ${res.text.slice(0, 300)}`);
  }
}

async function assertUntouched(): Promise<void> {
  const w = await call(server.url, 'GET', `/api/v1/Webhook/${hookId}`);
  assert.equal(w.status, 200);
  assert.equal(w.json.Name, NAME);
  assert.equal(w.json.TargetUrl, `${receiver.url}/a`);
  assert.equal(w.json.State, 'Active');
  assert.equal('ReceiverAuth' in w.json, false, 'no receiver credentials were set on it');
  const log = await call(server.url, 'GET', `/api/v1/Webhook/${hookId}/Deliveries`);
  assert.equal(log.json.Total, 1, 'no delivery was added to tenant A by the other caller');
  assert.equal(
    (await call(server.url, 'GET', '/api/v1/Webhook', { auth: `Bearer ${adminToken.token}` })).status,
    200,
    'the token still works',
  );
}

describe('tenant isolation, route by route', () => {
  it('gives a user of another tenant nothing of tenant A on every route, and lets it change nothing', async () => {
    const spec = (await call(server.url, 'GET', '/api/v1/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/^\/api\/v1/, '')}`),
    );
    const cases = otherTenantCases();
    assert.deepEqual(
      routes.filter((r) => !(r in cases)),
      [],
      'every route of the API has a case',
    );

    const bob = basic('bob', 'bob-password');
    const before = receiver.count;
    for (const [route, list] of Object.entries(cases)) {
      for (const c of list) {
        const res = await call(server.url, c.method, `/TenantB/api/v1${c.path}`, { auth: bob, body: c.body });
        assert.ok(c.expect.includes(res.status), `${route} (${c.path}) as tenant B: ${res.status} ${res.text.slice(0, 200)}`);
        assertNothingLeaks(route, res);
        // The same user at tenant A's own root is refused outright.
        const direct = await call(server.url, c.method, `/api/v1${c.path}`, { auth: bob, body: c.body });
        // 401, or 429 once the failed-login limit for bob's name has been reached.
        assert.ok([401, 429].includes(direct.status), `${route} as tenant B's user at tenant A's root: ${direct.status}`);
        assertNothingLeaks(route, direct);
      }
    }
    await assertUntouched();
    await server.deliver();
    assert.equal(
      receiver.received.slice(before).filter((r) => r.path === '/a').length,
      0,
      "tenant B's events never reach tenant A's webhook",
    );
  });

  it('hides a webhook from another application of the same tenant on every route that names it', async () => {
    const other = { 'SO-AppToken': 'app-B' };
    const named = [
      ['GET', `/Webhook/${hookId}`, undefined],
      ['PUT', `/Webhook/${hookId}`, webhookBody(`${receiver.url}/b`)],
      ['PATCH', `/Webhook/${hookId}`, [{ op: 'replace', path: '/Name', value: 'x' }]],
      ['DELETE', `/Webhook/${hookId}`, undefined],
      ['GET', `/Webhook/${hookId}/LastError`, undefined],
      ['GET', `/Webhook/${hookId}/Deliveries`, undefined],
      ['POST', `/Webhook/${hookId}/Deliveries/${deliveryId}/Retry`, undefined],
      ['GET', `/Webhook/${hookId}/Stats`, undefined],
      ['POST', `/Webhook/${hookId}/Recover`, { Since: '1h' }],
      ['POST', `/Webhook/${hookId}/Secret/Rotate`, {}],
      ['POST', `/Webhook/${hookId}/Secret/Confirm`, undefined],
      ['GET', `/Jobs/${jobId}`, undefined],
      ['POST', '/Agents/Webhook/GetWebhook', { WebhookId: hookId }],
      ['POST', '/Agents/Webhook/SaveWebhook', { ...webhookBody(`${receiver.url}/b`), WebhookId: hookId }],
      ['POST', '/Agents/Webhook/DeleteWebhook', { WebhookId: hookId }],
      ['POST', '/Agents/Webhook/GetLastError', { WebhookId: hookId }],
    ] as const;
    for (const [method, path, body] of named) {
      const res = await call(server.url, method, `/api/v1${path}`, { headers: other, body });
      // Agents answer null (DeleteWebhook: nothing) for what the caller cannot see, REST routes 404.
      const expected = !path.startsWith('/Agents/') ? 404 : path.endsWith('DeleteWebhook') ? 204 : 200;
      assert.equal(res.status, expected, `${method} ${path} as app-B: ${res.text.slice(0, 200)}`);
      if (expected === 200) assert.equal(res.text, 'null');
      assertNothingLeaks(`${method} ${path}`, res);
    }
    for (const [method, path, body] of [
      ['GET', '/Audit', undefined],
      ['GET', `/Audit?WebhookId=${hookId}`, undefined],
      ['GET', '/Webhook', undefined],
      ['POST', '/Agents/Webhook/GetAllWebhooks', {}],
      ['GET', '/archive/Webhook', undefined],
      ['POST', '/Agents/Archive/GetArchiveListByColumns', { ProviderName: 'Webhook' }],
    ] as const) {
      const res = await call(server.url, method, `/api/v1${path}`, { headers: other, body });
      assert.equal(res.status, 200);
      assertNothingLeaks(`${method} ${path}`, res);
    }
    await assertUntouched();
  });
});
