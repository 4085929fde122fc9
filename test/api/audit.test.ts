/**
 * The audit log (issue 25): each kind of change — webhooks (REST and NetServer's RPC), their credentials and secret
 * rotation, tokens, users, tenants, application access, retention and recover jobs — is recorded with its actor
 * (user, application or portal token), time and address, never a secret; GET /Audit filters by time, actor and
 * webhook; an application reads only its own records; a portal token none; retention prunes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { auditAction } from '../../src/domain/audit.js';
import type { AuditLog } from '../../src/store/audit-log.js';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { type Issued, type Pki, testPki } from '../helpers/pki.js';
import { Receiver } from '../helpers/receiver.js';
import { overriding } from '../helpers/stores.js';

let server: TestServer;
let receiver: Receiver;
const clock = new TestClock();
const SECRETS = ['webhook-secret-1', 'rotated-secret-2', 'basic-pass-3', 'oauth-secret-4', 'user-password-5', 'tenant-password-6'];
let pki: Pki;
let clientCert: Issued;
/** Every record as the store was given it (what its audit_log rows hold), on either store. */
const written: string[] = [];

/** The secrets no record may hold: the words above, the tokens given, and each line of the client key's PEM. */
function secretsIn(text: string): string[] {
  const keyLines = clientCert.key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
  return [...SECRETS, 'app-granted', 'app-X', 'PRIVATE KEY', ...keyLines].filter((secret) => text.includes(secret));
}

before(async () => {
  pki = testPki();
  clientCert = pki.issue(pki.ca('Audit CA'), 'audited-client');
  receiver = await Receiver.start();
  server = await startHookd(
    {},
    {
      clock,
      wrapStore: (store) =>
        overriding(store, {
          audit: overriding<AuditLog>(store.audit, {
            append: (entry) => {
              written.push(JSON.stringify(entry));
              return store.audit.append(entry);
            },
          }),
        }),
    },
  );
});
after(async () => {
  await server.close();
  await receiver.close();
  pki.remove();
});

async function audit(query = '', auth?: string, headers: Record<string, string> = {}) {
  const res = await call(server.url, 'GET', `/api/v1/Audit${query}`, { auth, headers });
  assert.equal(res.status, 200, res.text);
  return res.json as { Total: number; Top: number; Items: Array<Record<string, any>> };
}

describe('the audit log', () => {
  let hookId: number;

  it('records every kind of change with its actor, time and address, and never a secret', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/a`, {
        Name: 'audited',
        Secret: SECRETS[0],
        ReceiverAuth: {
          ClientCertificate: { Certificate: clientCert.cert, Key: clientCert.key },
          Basic: { UserName: 'u', Password: SECRETS[2] },
        },
      }),
    });
    assert.equal(created.status, 200, created.text);
    hookId = created.json.WebhookId;
    clock.advance(1000);
    const put = await call(server.url, 'PUT', `/api/v1/Webhook/${hookId}`, {
      body: webhookBody(`${receiver.url}/a`, {
        Name: 'audited v2',
        Secret: SECRETS[0],
        ReceiverAuth: { Basic: null, OAuth2: { TokenUrl: 'https://auth.example.com/t', ClientId: 'c', ClientSecret: SECRETS[3] } },
      }),
    });
    assert.equal(put.status, 200, put.text);
    const steps: Array<[string, string, unknown, Record<string, string>?]> = [
      ['PATCH', `/Webhook/${hookId}`, [{ op: 'replace', path: '/Description', value: 'patched' }]],
      ['POST', `/Webhook/${hookId}/Secret/Rotate`, { Secret: SECRETS[1] }],
      ['POST', `/Webhook/${hookId}/Recover`, { Since: '1h' }],
      ['PUT', '/Retention', { DeliveryRetentionDays: 30 }],
      ['POST', '/Auth/Tokens', { Name: 'ci token' }],
      ['POST', '/Associate', { UserName: 'carol', Password: SECRETS[4] }],
      ['POST', '/Tenant', { ContextIdentifier: 'AuditT', UserName: 'tina', Password: SECRETS[5] }],
      ['POST', '/AppAccess', { AppToken: 'app-granted', Name: 'Granted app' }],
      [
        'POST',
        '/Agents/Webhook/SaveWebhook',
        { ...webhookBody(`${receiver.url}/a`, { Name: 'via rpc', Secret: SECRETS[1] }), WebhookId: hookId },
      ],
    ];
    for (const [method, path, body] of steps) {
      const res = await call(server.url, method, `/api/v1${path}`, { body, headers: { 'X-Forwarded-For': '203.0.113.9' } });
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
      clock.advance(1000);
    }
    const token = (await call(server.url, 'GET', '/api/v1/Auth/Tokens')).json[0].TokenId;
    await call(server.url, 'DELETE', `/api/v1/Auth/Tokens/${token}`);
    // An application's change is recorded as the application's.
    const byApp = await call(server.url, 'POST', '/api/v1/Webhook', {
      headers: { 'SO-AppToken': 'app-X' },
      body: webhookBody(`${receiver.url}/x`, { Name: 'app hook' }),
    });
    assert.equal(byApp.status, 200);
    // Reads, tests and signals are not changes.
    await call(server.url, 'GET', `/api/v1/Webhook/${hookId}`);
    await call(server.url, 'POST', '/api/v1/Webhook/contact.created/1', { body: {} });
    await call(server.url, 'DELETE', `/api/v1/Webhook/${byApp.json.WebhookId}`, { headers: { 'SO-AppToken': 'app-X' } });

    const log = await audit('?$top=100');
    const actions = log.Items.map((r) => r.Action).reverse();
    assert.deepEqual(actions, [
      'webhook.create',
      'webhook.update',
      'webhook.update',
      'webhook.secret-rotate',
      'recover.start',
      'retention.update',
      'token.create',
      'user.create',
      'tenant.create',
      'app-access.grant',
      'webhook.update',
      'token.delete',
      'webhook.create',
      'webhook.delete',
    ]);
    const first = log.Items.at(-1)!;
    assert.equal(first.Actor, 'admin');
    assert.equal(first.ActorKind, 'user');
    assert.equal(first.WebhookId, hookId);
    assert.equal(first.At, '2026-01-05T09:00:00.0000000Z');
    assert.match(first.Address, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    assert.deepEqual(first.Changes.Values.Name, 'audited');
    assert.deepEqual(first.Changes.ReceiverAuth, ['ClientCertificate', 'Basic']);
    assert.deepEqual(
      log.Items.find((r) => r.Action === 'webhook.update' && Array.isArray(r.Changes.Set) && r.Changes.Set[0] === 'Description')!.Changes,
      { Set: ['Description'], Values: { Description: 'patched' } },
      'a JSON Patch records what its operations change',
    );
    assert.ok(first.Changes.Set.includes('Secret'), 'that the secret was set is recorded; its value is not');
    const update = log.Items.find((r) => r.Action === 'webhook.update' && r.Changes.Values?.Name === 'audited v2')!;
    assert.deepEqual(update.Changes.ReceiverAuth, ['Basic', 'OAuth2']);
    const app = log.Items.find((r) => r.Action === 'webhook.create' && r.ActorKind === 'application')!;
    assert.match(app.Application, /^[0-9a-f]{12}$/);
    assert.equal(log.Items.find((r) => r.Action === 'tenant.create')!.Changes.Values.ContextIdentifier, 'AuditT');
    assert.deepEqual(secretsIn(JSON.stringify(log)), [], 'no secret in GET /Audit');
    assert.equal(written.length, log.Total);
    assert.deepEqual(secretsIn(written.join('\n')), [], 'no secret in what the store was given to write');
  });

  it('filters by time, actor and webhook; an application reads only its own records; a portal token none', async () => {
    assert.equal(
      (await audit(`?WebhookId=${hookId}`)).Items.every((r) => r.WebhookId === hookId),
      true,
    );
    assert.equal((await audit(`?WebhookId=${hookId}`)).Total, 6);
    // An application acts for a user: Actor names the user (14), or the application by its id (2).
    assert.equal((await audit('?Actor=admin')).Total, 14);
    const appId = (await audit('', undefined, { 'SO-AppToken': 'app-X' })).Items[0]!.Application;
    assert.equal((await audit(`?Actor=${appId}`)).Total, 2);
    assert.equal((await audit('?Actor=nobody')).Total, 0);
    const window = await audit('?From=2026-01-05T09:00:01Z&To=2026-01-05T09:00:02Z');
    assert.deepEqual(window.Items.map((r) => r.Action).reverse(), ['webhook.update', 'webhook.update']);
    const asApp = await audit('', undefined, { 'SO-AppToken': 'app-X' });
    assert.deepEqual(asApp.Items.map((r) => r.Action).reverse(), ['webhook.create', 'webhook.delete']);
    assert.equal((await audit('', undefined, { 'SO-AppToken': 'app-other' })).Total, 0);
    // A portal token manages its webhooks, their receiver auth included (the target checks apply to its TokenUrl),
    // and is recorded as the portal's; it cannot read the log.
    const portal = await call(server.url, 'POST', '/api/v1/Portal/Token', { body: {} });
    const byPortal = await call(server.url, 'POST', '/api/v1/Webhook', {
      auth: `Portal ${portal.json.Token}`,
      body: webhookBody(`${receiver.url}/p`, {
        Name: 'portal hook',
        ReceiverAuth: { Basic: { UserName: 'p', Password: 'portal-pass-7' } },
      }),
    });
    assert.equal(byPortal.status, 200, byPortal.text);
    const latest = (await audit('?$top=1')).Items[0]!;
    assert.deepEqual([latest.Action, latest.ActorKind, latest.WebhookId], ['webhook.create', 'portal', byPortal.json.WebhookId]);
    assert.ok(!JSON.stringify(latest).includes('portal-pass-7'));
    const refused = await call(server.url, 'GET', '/api/v1/Audit', { auth: `Portal ${portal.json.Token}` });
    assert.equal(refused.status, 403);
    const bad = await call(server.url, 'GET', '/api/v1/Audit?From=yesterday');
    assert.equal(bad.status, 400);
  });

  it('a JSON Patch records the properties its operations name and the harmless values, never a secret', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/jp`, { Name: 'ops' }) });
    assert.equal(created.status, 200, created.text);
    const id = created.json.WebhookId as number;
    const patches = [
      [
        { op: 'test', path: '/Name', value: 'ops' },
        { op: 'replace', path: '/Name', value: 'ops renamed' },
        { op: 'replace', path: '/Secret', value: 'patch-secret-8' },
        { op: 'add', path: '/ReceiverAuth', value: { Basic: { UserName: 'u', Password: 'patch-pass-9' } } },
      ],
      [{ op: 'add', path: '/ReceiverAuth/Basic/Password', value: 'patch-pass-10' }],
      [{ op: 'remove', path: '/ReceiverAuth' }],
    ];
    for (const body of patches) {
      const res = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, {
        body,
        headers: { 'Content-Type': 'application/json-patch+json' },
      });
      assert.equal(res.status, 200, res.text);
    }
    const log = await audit(`?WebhookId=${id}`);
    assert.deepEqual(
      log.Items.map((r) => r.Changes)
        .reverse()
        .slice(1),
      [
        { Set: ['Name', 'Secret', 'ReceiverAuth'], Values: { Name: 'ops renamed' }, ReceiverAuth: ['Basic'] },
        { Set: ['ReceiverAuth'], ReceiverAuth: ['Basic'] },
        { Set: ['ReceiverAuth'], ReceiverAuth: 'removed' },
      ],
    );
    for (const text of [JSON.stringify(log), written.join('\n')])
      for (const secret of ['patch-secret-8', 'patch-pass-9', 'patch-pass-10']) assert.ok(!text.includes(secret), secret);
  });

  it("NetServer's RPC: SaveWebhook without an id is recorded as a create, DeleteWebhook by query string names its webhook", async () => {
    const saved = await call(server.url, 'POST', '/api/v1/Agents/Webhook/SaveWebhook', {
      body: { ...webhookBody(`${receiver.url}/rpc`, { Name: 'rpc new' }), WebhookId: 0 },
    });
    assert.equal(saved.status, 200, saved.text);
    const id = saved.json.WebhookId as number;
    const deleted = await call(server.url, 'POST', `/api/v1/Agents/Webhook/DeleteWebhook?WebhookId=${id}`, { body: {} });
    assert.equal(deleted.status, 204, deleted.text);
    // Deleting or saving what is not there (the RPC answers 204 or null) changes nothing, and is not recorded.
    assert.equal((await call(server.url, 'POST', `/api/v1/Agents/Webhook/DeleteWebhook?WebhookId=${id}`, { body: {} })).status, 204);
    const ghost = await call(server.url, 'POST', '/api/v1/Agents/Webhook/SaveWebhook', {
      body: { ...webhookBody(`${receiver.url}/rpc`, { Name: 'ghost' }), WebhookId: id },
    });
    assert.equal(ghost.text, 'null');
    const log = await audit(`?WebhookId=${id}`);
    assert.deepEqual(log.Items.map((r) => [r.Action, r.WebhookId]).reverse(), [
      ['webhook.create', id],
      ['webhook.delete', id],
    ]);
  });

  it('records the other kinds too: secret confirmation, a retry, a tenant-wide recover, a portal token, access revoked; a dry run is no change', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/kinds`, { Name: 'kinds' }) });
    assert.equal(created.status, 200, created.text);
    const id = created.json.WebhookId as number;
    assert.equal((await call(server.url, 'POST', '/api/v1/Webhook/contact.created/77', { body: {} })).status, 204);
    await server.deliver();
    const deliveryId = (await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`)).json.Items[0].DeliveryId as number;
    const before = (await audit()).Total;
    const steps: Array<[string, string, unknown, number]> = [
      ['POST', `/Webhook/${id}/Secret/Rotate`, { Secret: 'kinds-secret-0011' }, 200],
      ['POST', `/Webhook/${id}/Secret/Confirm`, undefined, 200],
      ['POST', `/Webhook/${id}/Deliveries/${deliveryId}/Retry`, undefined, 204],
      ['POST', '/Webhook/Recover?DryRun=true', { Since: '1h', Status: 'All' }, 200],
      ['POST', '/Webhook/Recover', { Since: '1h', Status: 'All' }, 202],
      ['POST', '/Portal/Token', {}, 200],
      ['DELETE', `/AppAccess/${createHash('sha256').update('app-granted').digest('hex')}`, undefined, 204],
    ];
    for (const [method, path, body, status] of steps) {
      const res = await call(server.url, method, `/api/v1${path}`, { body });
      assert.equal(res.status, status, `${method} ${path}: ${res.text.slice(0, 300)}`);
    }
    const log = await audit('?$top=6');
    assert.deepEqual(log.Items.map((r) => [r.Action, r.WebhookId]).reverse(), [
      ['webhook.secret-rotate', id],
      ['webhook.secret-confirm', id],
      ['delivery.retry', id],
      ['recover.start', null],
      ['portal-token.create', null],
      ['app-access.revoke', null],
    ]);
    assert.equal((await audit()).Total, before + 6, 'the dry run is not recorded');
    assert.ok(!JSON.stringify(log).includes('kinds-secret-0011'));
  });

  it('every route that changes something is audited, or listed here as changing nothing', async () => {
    const notChanges = new Set([
      'POST /Auth/Ticket',
      'POST /Webhook/Test',
      'POST /Webhook/Filter/Test',
      'POST /Webhook/:eventName/:primaryKey',
      'POST /Webhook/Events',
      'POST /Agents/Archive/:method',
    ]);
    const spec = (await call(server.url, 'GET', '/api/v1/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const unaudited = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .map((m) => m.toUpperCase())
        .filter((m) => m !== 'GET' && m !== 'HEAD')
        .map((m) => `${m} ${path.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`)
        .filter((route) => {
          const [method, url] = route.split(' ') as [string, string];
          // The RPC agent: each changing method is audited (SaveWebhook, DeleteWebhook), the rest read.
          const params = url === '/Agents/Webhook/:method' ? { method: 'SaveWebhook' } : {};
          return auditAction(method, url, params) === null && !notChanges.has(route);
        }),
    );
    assert.deepEqual(unaudited, []);
  });

  it('refuses a hostile filter with a 400 naming it, never a 500 (PostgreSQL refuses an id past int32 and a NUL)', async () => {
    const cases: Array<[string, string, string]> = [
      ['?WebhookId=9999999999', 'invalid_parameter', 'WebhookId'],
      ['?WebhookId=-1', 'invalid_parameter', 'WebhookId'],
      ['?WebhookId=1&WebhookId=2', 'invalid_parameter', 'WebhookId'],
      ['?Actor=a%00b', 'invalid_parameter', 'Actor'],
      ['?Actor=a%0Ab', 'invalid_parameter', 'Actor'],
      [`?Actor=${'x'.repeat(201)}`, 'invalid_parameter', 'Actor'],
      ['?From=275760-09-14T00:00:00Z', 'invalid_parameter', 'From'],
      ['?$top=99999', 'invalid_parameter', '$top'],
      ['?__proto__=1', 'input_forbidden_key', '__proto__'],
      ['?constructor=1', 'input_forbidden_key', 'constructor'],
    ];
    for (const [query, code, name] of cases) {
      const res = await call(server.url, 'GET', `/api/v1/Audit${query}`);
      assert.equal(res.status, 400, `${query}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(res.json.ErrorCode, code, query);
      assert.ok(res.json.ErrorMessage.includes(name), `${query}: ${res.json.ErrorMessage}`);
    }
    // A page larger than the most is the most, and says so.
    assert.equal((await audit('?$top=9999')).Top, 500);
    assert.equal((await audit('?$top=0')).Top, 1);
    // The largest id there can be is a filter like any other.
    assert.equal((await audit('?WebhookId=2147483647')).Total, 0);
  });

  it('a secret confirmation whose ping fails confirms nothing and is not recorded', async () => {
    const gone = await Receiver.start();
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${gone.url}/gone`, { Name: 'gone' }) });
    assert.equal(created.status, 200, created.text);
    const id = created.json.WebhookId as number;
    assert.equal((await call(server.url, 'POST', `/api/v1/Webhook/${id}/Secret/Rotate`, { body: {} })).status, 200);
    await gone.close();
    const confirm = await call(server.url, 'POST', `/api/v1/Webhook/${id}/Secret/Confirm`);
    assert.equal(confirm.status, 200, confirm.text);
    assert.equal(confirm.json.Success, false, confirm.text);
    assert.deepEqual((await audit(`?WebhookId=${id}`)).Items.map((r) => r.Action).reverse(), ['webhook.create', 'webhook.secret-rotate']);
  });

  it('cuts long property names: a body of unknown 15,000-character names writes a record of a few KB, not 750 KB', async () => {
    const body: Record<string, unknown> = webhookBody(`${receiver.url}/long`, { Name: 'long names' });
    for (let i = 0; i < 50; i++) body[`${i}${'k'.repeat(15_000)}`] = 1;
    const res = await call(server.url, 'POST', '/api/v1/Webhook', { body });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    const latest = (await audit('?$top=1')).Items[0]!;
    assert.equal(latest.Action, 'webhook.create');
    assert.ok(
      latest.Changes.Set.every((n: string) => n.length <= 101),
      'each name at most 100 characters and an ellipsis',
    );
    assert.ok(JSON.stringify(latest).length < 10_000, `${JSON.stringify(latest).length} characters`);
    assert.ok(written.at(-1)!.length < 10_000);
  });

  it('is pruned by the retention settings', async () => {
    const before = (await audit()).Total;
    assert.ok(before > 0);
    clock.advance(31 * 86_400_000);
    await server.hookd.retention.pruneNow();
    assert.equal((await audit()).Total, 0, 'older than DeliveryRetentionDays (30)');
  });
});
