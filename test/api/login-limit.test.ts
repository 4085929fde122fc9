/** Failed logins beyond the limit get 429 with Retry-After, per user name and per client address. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestServer, basic, call, startHookd } from '../helpers/harness.js';

let server: TestServer;
before(async () => {
  server = await startHookd({ loginFailureLimit: 3 });
});
after(async () => server.close());

describe('failed-login limit', () => {
  it('locks a user name out after 3 failures, even for the right password, with Retry-After', async () => {
    const token = (await call(server.url, 'POST', '/api/v1/Auth/Tokens', { body: { Name: 't' } })).json.Token as string;
    for (let i = 0; i < 3; i++) {
      assert.equal((await call(server.url, 'GET', '/api/v1/Webhook', { auth: basic('admin', `wrong-${i}`) })).status, 401);
    }
    const locked = await call(server.url, 'GET', '/api/v1/Webhook', { auth: basic() });
    assert.equal(locked.status, 429);
    assert.equal(locked.json.ErrorCode, 'rate_limited');
    const wait = Number(locked.headers.get('retry-after'));
    assert.ok(wait > 800 && wait <= 900, `Retry-After ${wait}`);
    assert.equal(
      (await call(server.url, 'GET', '/api/v1/Webhook', { auth: `Bearer ${token}` })).status,
      200,
      'other credentials still work',
    );

    // The address: five times the limit, whatever the user names.
    for (let i = 0; i < 12; i++) await call(server.url, 'GET', '/api/v1/Webhook', { auth: basic(`guess${i}`, 'x') });
    const blocked = await call(server.url, 'GET', '/api/v1/Webhook', { auth: `Bearer ${token}` });
    assert.equal(blocked.status, 429, 'the address is blocked for every scheme');
  });
});
