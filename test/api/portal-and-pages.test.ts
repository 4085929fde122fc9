/**
 * The web pages' server side, without a browser: /ui and /portal are served with a strict CSP (the portal
 * framable only by HOOKD_PORTAL_FRAME_ANCESTORS), and portal tokens — short-lived, scoped to one tenant and
 * application, refused when tampered with, expired, presented at another tenant, or used beyond /Webhook.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const clock = new TestClock(Date.now());
let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({ portalFrameAncestors: ['https://app.example.com'] }, { clock });
  const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
    body: { ContextIdentifier: 'Portal1', UserName: 'pat', Password: 'pat-password-1' },
  });
  assert.equal(tenant.status, 200, tenant.text);
  for (const [base, name, app] of [
    ['/api/v1', 'default tenant hook', null],
    ['/Portal1/api/v1', 'portal tenant hook', null],
    ['/Portal1/api/v1', 'portal app hook', 'app-P'],
  ] as const) {
    const res = await call(server.url, 'POST', `${base}/Webhook`, {
      body: webhookBody(`${receiver.url}/p`, { Name: name }),
      headers: app ? { 'SO-AppToken': app } : {},
    });
    assert.equal(res.status, 200, res.text);
  }
});
after(async () => {
  await server.close();
  await receiver.close();
});

const pat = basic('pat', 'pat-password-1');
const names = (res: { json: any }) => (res.json as Array<{ Name: string }>).map((w) => w.Name).sort();

describe('the web pages', () => {
  it('are served with a strict Content-Security-Policy; only the portal may be framed, by the configured origins', async () => {
    for (const path of ['/ui/', '/ui/app.js', '/ui/app.css', '/portal/']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'; script-src 'self'; style-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      if (path.startsWith('/portal')) {
        assert.match(csp, /frame-ancestors https:\/\/app\.example\.com/);
        assert.equal(res.headers.get('x-frame-options'), null);
      } else {
        assert.match(csp, /frame-ancestors 'none'/);
        assert.equal(res.headers.get('x-frame-options'), 'DENY');
      }
    }
    const html = await (await fetch(`${server.url}/ui/`)).text();
    assert.doesNotMatch(html, /<script>|onclick=|style="/, 'nothing inline');
    assert.equal((await fetch(`${server.url}/ui`, { redirect: 'manual' })).headers.get('location'), '/ui/');
  });

  it('the API keeps its own policy: data, never a page', async () => {
    const res = await call(server.url, 'GET', '/api/v1/Webhook');
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  it('the ticket cookie is HttpOnly and SameSite=Strict; the XSRF cookie readable by the page', async () => {
    const res = await call(server.url, 'POST', '/api/v1/Auth/Ticket');
    const cookies = res.headers.getSetCookie();
    const ticket = cookies.find((c) => c.startsWith('hookd_ticket='));
    const xsrf = cookies.find((c) => c.startsWith('XSRF-TOKEN='));
    assert.ok(ticket && xsrf, cookies.join(' | '));
    assert.match(ticket, /; HttpOnly/);
    assert.match(ticket, /; SameSite=Strict/);
    assert.doesNotMatch(ticket, /; Secure/, 'plain http on loopback: not Secure');
    assert.match(xsrf, /; SameSite=Strict/);
    assert.doesNotMatch(xsrf, /HttpOnly/, 'the page reads it to send X-XSRF-TOKEN');
  });
});

describe('portal tokens', () => {
  async function token(base: string, auth: string, headers: Record<string, string> = {}, minutes?: number) {
    const res = await call(server.url, 'POST', `${base}/Portal/Token`, {
      auth,
      headers,
      body: minutes === undefined ? {} : { Minutes: minutes },
    });
    assert.equal(res.status, 200, res.text);
    return res.json as { Token: string; Expires: string; Url: string };
  }

  it("show exactly their own tenant's webhooks, or their application's", async () => {
    const t = await token('/Portal1/api/v1', pat);
    assert.match(t.Url, /\/portal\/\?tenant=Portal1#token=ptl_/);
    const list = await call(server.url, 'GET', '/Portal1/api/v1/Webhook', { auth: `Portal ${t.Token}` });
    assert.deepEqual(names(list), ['portal app hook', 'portal tenant hook']);
    const app = await token('/Portal1/api/v1', pat, { 'SO-AppToken': 'app-P' });
    const appList = await call(server.url, 'GET', '/Portal1/api/v1/Webhook', {
      auth: `Portal ${app.Token}`,
      headers: { 'SO-AppToken': 'another-app' },
    });
    assert.deepEqual(names(appList), ['portal app hook'], 'the token decides the application, not a header');
  });

  it("an administrator's token is scoped to the tenant it was asked for, not to every tenant", async () => {
    const t = await token('/Portal1/api/v1', basic());
    assert.deepEqual(names(await call(server.url, 'GET', '/Portal1/api/v1/Webhook', { auth: `Portal ${t.Token}` })), [
      'portal app hook',
      'portal tenant hook',
    ]);
    const elsewhere = await call(server.url, 'GET', '/api/v1/Webhook', { auth: `Portal ${t.Token}` });
    assert.equal(elsewhere.status, 401, 'presented at another tenant');
  });

  it('are refused when tampered with, expired, or used for anything but webhooks', async () => {
    const t = await token('/Portal1/api/v1', pat, {}, 5);
    const flipped = t.Token.slice(0, -1) + (t.Token.endsWith('A') ? 'B' : 'A');
    assert.equal((await call(server.url, 'GET', '/Portal1/api/v1/Webhook', { auth: `Portal ${flipped}` })).status, 401);
    for (const [method, path] of [
      ['GET', '/Auth/Tokens'],
      ['POST', '/Auth/Ticket'],
      ['POST', '/Portal/Token'],
      ['GET', '/Notifications'],
      ['POST', '/Associate'],
    ] as const) {
      const res = await call(server.url, method, `/Portal1/api/v1${path}`, {
        auth: `Portal ${t.Token}`,
        body: method === 'POST' ? {} : undefined,
      });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
    }
    clock.advance(5 * 60_000 + 1);
    const expired = await call(server.url, 'GET', '/Portal1/api/v1/Webhook', { auth: `Portal ${t.Token}` });
    assert.equal(expired.status, 401, 'expired after its 5 minutes');
  });

  it('last 1 to 1440 minutes', async () => {
    const res = await call(server.url, 'POST', '/Portal1/api/v1/Portal/Token', { auth: pat, body: { Minutes: 2000 } });
    assert.equal(res.status, 400);
    assert.match(res.text, /Minutes/);
  });
});
