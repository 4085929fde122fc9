/**
 * "Online Restricted" (issue 23): with HOOKD_APP_ACCESS=restricted an application (SO-AppToken) may use the
 * Webhook routes — REST and RPC, at any tenant's path, with a portal token made for it — only once the
 * administrator granted it; refused with NetServer's sentence otherwise. People (no SO-AppToken) and the
 * other routes are not restricted; the default stays open. Real HTTP on loopback, on the store the run names.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { ADMIN, basic, call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let restricted: TestServer;
let open: TestServer;
let receiver: Receiver;
const ann = basic('ann', 'ann-password-1');
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

before(async () => {
  receiver = await Receiver.start();
  restricted = await startHookd({ appAccess: 'restricted', savePing: false });
  open = await startHookd({ savePing: false });
  const tenant = await call(restricted.url, 'POST', '/api/v1/Tenant', {
    body: { ContextIdentifier: 'Cust7', UserName: 'ann', Password: 'ann-password-1' },
  });
  assert.equal(tenant.status, 200, tenant.text);
});
after(async () => {
  await restricted.close();
  await open.close();
  await receiver.close();
});

const app = (token: string) => ({ 'SO-AppToken': token });
const REFUSAL =
  'The Webhook agent is not available in Online by default. Access must be requested specifically when app is registered. (This application, by its SO-AppToken, has not been granted access by the administrator.)';

/** Every way into the Webhook agent: REST list, create, signal, RPC, and a named tenant's path. */
async function agentStatuses(server: TestServer, headers: Record<string, string>, auth?: string): Promise<number[]> {
  const answers = await Promise.all([
    call(server.url, 'GET', '/api/v1/Webhook', { headers, auth }),
    call(server.url, 'POST', '/api/v1/Webhook', { headers, auth, body: webhookBody(`${receiver.url}/h`) }),
    call(server.url, 'POST', '/api/v1/Webhook/contact.created/1', { headers, auth, body: {} }),
    call(server.url, 'POST', '/api/v1/Webhook/Events', { headers, auth, body: [{ EventName: 'contact.created', PrimaryKey: 1 }] }),
    call(server.url, 'POST', '/api/v1/Agents/Webhook/GetAllWebhooks', { headers, auth, body: {} }),
    call(server.url, 'GET', '/Cust7/api/v1/Webhook', { headers, auth: ann }),
  ]);
  return answers.map((a) => a.status);
}

describe('Online Restricted', () => {
  it('default (open): an application uses the Webhook routes without a grant, as in the quick start', async () => {
    assert.deepEqual(await agentStatuses(open, app('any-app')), [200, 200, 204, 204, 200, 404]);
    const access = await call(open.url, 'GET', '/api/v1/AppAccess');
    assert.deepEqual(access.json, { Mode: 'Open', Grants: [] });
  });

  it("restricted: an application without a grant is refused everywhere in the agent with NetServer's sentence", async () => {
    assert.deepEqual(await agentStatuses(restricted, app('app-1')), [403, 403, 403, 403, 403, 403]);
    const res = await call(restricted.url, 'GET', '/api/v1/Webhook', { headers: app('app-1') });
    assert.deepEqual(
      [res.json.ErrorType, res.json.ErrorCode, res.json.ErrorMessage],
      ['SoAccessDeniedException', 'app_not_granted', REFUSAL],
    );
    // The archive providers are webhook data too.
    assert.equal((await call(restricted.url, 'GET', '/api/v1/archive/Webhook', { headers: app('app-1') })).status, 403);
    const rpcArchive = await call(restricted.url, 'POST', '/api/v1/Agents/Archive/GetArchiveListByColumns', {
      headers: app('app-1'),
      body: { ProviderName: 'Webhook' },
    });
    assert.equal(rpcArchive.status, 403);
    const sv = await call(restricted.url, 'GET', '/api/v1/Webhook', { headers: { ...app('app-1'), 'Accept-Language': 'sv' } });
    assert.match(sv.json.ErrorMessage, /^Webhook-agenten är inte tillgänglig i Online/);
  });

  it('restricted: people (no SO-AppToken) and routes outside the agent are not restricted', async () => {
    assert.deepEqual(await agentStatuses(restricted, {}), [200, 200, 204, 204, 200, 200]);
    assert.equal((await call(restricted.url, 'GET', '/api/v1/timezone', { headers: app('app-1') })).status, 200);
    assert.equal((await call(restricted.url, 'GET', '/api/v1/Auth/Tokens', { headers: app('app-1') })).status, 200);
  });

  it('a grant lets exactly that application in; revoking it shuts it out again at once', async () => {
    const granted = await call(restricted.url, 'POST', '/api/v1/AppAccess', { body: { AppToken: 'app-1', Name: 'CRM sync' } });
    assert.equal(granted.status, 200, granted.text);
    assert.deepEqual([granted.json.AppTokenHash, granted.json.Name, granted.json.GrantedBy], [sha('app-1'), 'CRM sync', 1]);
    assert.ok(!granted.text.includes('"app-1"'), 'the token itself is not kept or shown');
    assert.deepEqual(await agentStatuses(restricted, app('app-1')), [200, 200, 204, 204, 200, 200]);
    assert.deepEqual(await agentStatuses(restricted, app('app-2')), [403, 403, 403, 403, 403, 403]);
    const list = await call(restricted.url, 'GET', '/api/v1/AppAccess');
    assert.equal(list.json.Mode, 'Restricted');
    assert.deepEqual(
      list.json.Grants.map((g: any) => [g.AppTokenHash, g.Name]),
      [[sha('app-1'), 'CRM sync']],
    );
    assert.equal((await call(restricted.url, 'DELETE', `/api/v1/AppAccess/${sha('app-1')}`)).status, 204);
    assert.equal((await call(restricted.url, 'GET', '/api/v1/Webhook', { headers: app('app-1') })).status, 403);
    assert.equal((await call(restricted.url, 'DELETE', `/api/v1/AppAccess/${sha('app-1')}`)).json.ErrorCode, 'not_found');
  });

  it('a portal token made for an application is that application: refused until it is granted', async () => {
    const made = await call(restricted.url, 'POST', '/Cust7/api/v1/Portal/Token', { auth: ann, headers: app('app-P'), body: {} });
    assert.equal(made.status, 200, made.text);
    const portal = `Portal ${made.json.Token}`;
    assert.equal((await call(restricted.url, 'GET', '/Cust7/api/v1/Webhook', { auth: portal })).status, 403);
    await call(restricted.url, 'POST', '/api/v1/AppAccess', { body: { AppToken: 'app-P' } });
    assert.equal((await call(restricted.url, 'GET', '/Cust7/api/v1/Webhook', { auth: portal })).status, 200);
    assert.equal((await call(restricted.url, 'GET', '/Cust7/api/v1/AppAccess', { auth: portal })).status, 403, 'never the grants');
  });

  it('only the administrator reads, grants and revokes; hostile input is a 400', async () => {
    for (const [method, path, body] of [
      ['GET', '/Cust7/api/v1/AppAccess', undefined],
      ['POST', '/Cust7/api/v1/AppAccess', { AppToken: 'ann-app' }],
      ['DELETE', `/Cust7/api/v1/AppAccess/${sha('app-P')}`, undefined],
    ] as const) {
      const res = await call(restricted.url, method, path, { auth: ann, body });
      assert.deepEqual([res.status, res.json.ErrorCode], [403, 'forbidden'], `${method} ${path}`);
    }
    const bad: Array<[string, string, unknown, string]> = [
      ['POST', '/api/v1/AppAccess', { AppToken: 'x'.repeat(201) }, 'invalid_field'],
      ['POST', '/api/v1/AppAccess', { AppToken: 42 }, 'invalid_field'],
      ['POST', '/api/v1/AppAccess', { AppToken: '' }, 'invalid_field'],
      ['POST', '/api/v1/AppAccess', '{"AppToken":"a","__proto__":{"isAdmin":true}}', 'input_forbidden_key'],
      ['POST', '/api/v1/AppAccess', { AppToken: 'a', Name: 'n'.repeat(10_000) }, 'invalid_field'],
      ['DELETE', '/api/v1/AppAccess/not-a-hash', undefined, 'invalid_parameter'],
    ];
    for (const [method, path, body, code] of bad) {
      const res = await call(restricted.url, method, path, { body });
      assert.deepEqual([res.status, res.json.ErrorCode], [400, code], `${method} ${path} ${String(JSON.stringify(body)).slice(0, 60)}`);
    }
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  });
});

describe('hookd app list|grant|revoke (the CLI)', () => {
  it('grants, lists and revokes over the API, and names a refusal in one line', async () => {
    const env = { HOOKD_URL: restricted.url, HOOKD_USER: ADMIN.user, HOOKD_PASSWORD: ADMIN.password };
    const granted = await runCli(['app', 'grant', 'cli-app', '--name', 'From the shell'], env);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, new RegExp(`granted From the shell \\(${sha('cli-app')}\\)`));
    assert.equal((await call(restricted.url, 'GET', '/api/v1/Webhook', { headers: app('cli-app') })).status, 200);
    const list = await runCli(['app', 'list'], env);
    assert.match(list.stdout, /mode: Restricted/);
    assert.match(list.stdout, /From the shell/);
    const json = JSON.parse((await runCli(['app', 'list', '--json'], env)).stdout);
    assert.ok(json.Grants.some((g: any) => g.AppTokenHash === sha('cli-app')));
    assert.equal((await runCli(['app', 'revoke', sha('cli-app')], env)).code, 0);
    assert.equal((await call(restricted.url, 'GET', '/api/v1/Webhook', { headers: app('cli-app') })).status, 403);
    const ann = await runCli(['app', 'list'], {
      ...env,
      HOOKD_URL: `${restricted.url}/Cust7`,
      HOOKD_USER: 'ann',
      HOOKD_PASSWORD: 'ann-password-1',
    });
    assert.notEqual(ann.code, 0);
    assert.match(ann.stderr, /read application grants \(only the administrator may\)\. \(forbidden\)/);
  });
});
