/**
 * GET /Associate (issue 24): a tenant's CRM users, whom a webhook's ErrorAssociates may name — the dashboard's form
 * offers them by name. Only the tenant of the URL; not for a portal token (it reaches only /Webhook). Both stores.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, type TestServer } from '../helpers/harness.js';

describe('GET /Associate', () => {
  let server: TestServer;
  before(async () => {
    server = await startHookd();
    const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
      body: { ContextIdentifier: 'Shop', UserName: 'shopkeeper', Password: 'shop-password-1', Name: 'Sam Shop' },
    });
    assert.equal(tenant.status, 200, tenant.text);
    const added = await call(server.url, 'POST', '/Shop/api/v1/Associate', {
      body: { UserName: 'clerk', Password: 'clerk-password-1', Name: 'Cleo Clerk', Email: 'cleo@example.com' },
    });
    assert.equal(added.status, 200, added.text);
  });
  after(async () => server.close());

  it("lists the URL's tenant's associates by id, and nobody else's", async () => {
    const shop = await call(server.url, 'GET', '/Shop/api/v1/Associate', { auth: basic('shopkeeper', 'shop-password-1') });
    assert.equal(shop.status, 200, shop.text);
    assert.deepEqual(
      shop.json.map((a: any) => a.UserName),
      ['shopkeeper', 'clerk'],
    );
    const own = await call(server.url, 'GET', '/api/v1/Associate');
    assert.deepEqual(
      own.json.map((a: any) => a.UserName),
      ['admin'],
    );
  });

  it('is not for a portal token', async () => {
    const t = await call(server.url, 'POST', '/api/v1/Portal/Token', { body: {} });
    const res = await call(server.url, 'GET', '/api/v1/Associate', { auth: `Portal ${t.json.Token}` });
    assert.equal(res.status, 403, res.text);
  });
});
