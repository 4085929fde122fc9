/**
 * Issue 20's reproductions, findings 1, 3 and 8 (deep nesting): prototype keys in every body format and
 * query string are a 400 naming the key (never a write to Object.prototype, never another tenant's default),
 * bodies nested deeper than MAX_INPUT_DEPTH are a 400 (never a 500), and a portal token reaches only the
 * routes of its allow-list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_INPUT_DEPTH } from '../../src/domain/input-guard.js';
import { basic, call, startHookd, type TestServer, waitUntil, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;
let ownHook: number;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({ rateLimitPerMinute: 0 });
  const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
    body: { ContextIdentifier: 'Other', UserName: 'olga', Password: 'olga-password-1' },
  });
  assert.equal(tenant.status, 200, tenant.text);
  const hook = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/own`, { Name: 'own hook' }) });
  assert.equal(hook.status, 200, hook.text);
  ownHook = hook.json.WebhookId;
});
after(async () => {
  await server.close();
  await receiver.close();
});

const olga = basic('olga', 'olga-password-1');
const FORM = 'application/x-www-form-urlencoded';

/** Nothing a request did may show on a fresh object. */
function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['x', 'State', 'Filter', 'Secret', 'polluted']) assert.equal(probe[key], undefined, `Object.prototype.${key}`);
  assert.deepEqual(Object.keys(Object.prototype), []);
}

async function raw(method: string, path: string, type: string, body: string, auth: string | null = null) {
  const headers: Record<string, string> = { 'Content-Type': type };
  if (auth) headers.Authorization = auth;
  const res = await fetch(`${server.url}${path}`, { method, headers, body });
  return { status: res.status, text: await res.text() };
}

describe('prototype keys (finding 1)', () => {
  it('an anonymous form body with __proto__ at an unknown path is a 400 naming the key, and the process lives on', async () => {
    for (const body of ['a=1&__proto__.x=1', 'a=1&__proto__[x]=1', '__proto__=1', 'constructor.prototype=1', 'Headers.__proto__=1']) {
      const res = await raw('POST', '/nope', FORM, body);
      assert.equal(res.status, 400, `${body}: ${res.text}`);
      assert.match(res.text, /"ErrorCode":"input_forbidden_key"/, body);
      assert.match(res.text, /__proto__|constructor|prototype/, body);
    }
    assertPrototypeClean();
    // The crash came seconds later, from prom-client on the next scrape: scrape, and check the process still answers.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await fetch(`${server.url}/metrics`)).status < 500, true);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  it('is refused in JSON, XML, merge-patch, JSON Patch paths and query strings alike', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['POST', '/api/v1/Webhook', 'application/json', '{"Name":"x","__proto__":{"State":"Stopped"}}'],
      ['POST', '/api/v1/Webhook', 'application/json', '{"Name":"x","Headers":{"constructor":"y"}}'],
      ['POST', '/api/v1/Webhook', 'application/json', '[{"a":{"b":{"prototype":1}}}]'],
      ['POST', '/api/v1/Webhook', 'application/xml', '<Webhook><Name>x</Name><constructor>1</constructor></Webhook>'],
      ['POST', '/api/v1/Webhook', 'application/xml', '<Webhook><__proto__><State>Stopped</State></__proto__></Webhook>'],
      ['PATCH', `/api/v1/Webhook/${ownHook}`, 'application/merge-patch+json', '{"__proto__":{"State":"Stopped"}}'],
      ['PATCH', `/api/v1/Webhook/${ownHook}`, 'application/json-patch+json', '[{"op":"add","path":"/Headers/__proto__","value":"x"}]'],
      ['PATCH', `/api/v1/Webhook/${ownHook}`, 'application/json-patch+json', '[{"op":"add","path":"/constructor/prototype/x","value":1}]'],
      ['GET', '/api/v1/Webhook?__proto__=1', '', ''],
      ['GET', '/api/v1/Webhook?constructor=x&$select=Name', '', ''],
    ];
    for (const [method, path, type, body] of cases) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { Authorization: basic(), ...(type ? { 'Content-Type': type } : {}) },
        body: body || undefined,
      });
      const text = await res.text();
      assert.equal(res.status, 400, `${method} ${path} ${body}: ${text}`);
      // XML: fast-xml-parser refuses __proto__ itself (body_malformed); every other case is the guard's.
      assert.match(text, /"ErrorCode":"(input_forbidden_key|body_malformed)"/, `${method} ${path} ${body}`);
    }
    assertPrototypeClean();
  });

  it("never gives another tenant's new webhook a field it left out", async () => {
    for (const field of ['State=Stopped', 'Secret=attacker', 'Filter.Entity=nobody']) {
      await raw('POST', '/api/v1/Webhook', FORM, `Name=a&__proto__.${field}`, basic());
    }
    const res = await call(server.url, 'POST', '/Other/api/v1/Webhook', {
      auth: olga,
      body: webhookBody(`${receiver.url}/olga`, { Name: 'olga hook' }),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.State, 'Active');
    assert.equal(res.json.Filter ?? null, null);
    assertPrototypeClean();
  });

  it('JSON text in a form or XML field (Filter, ReceiverAuth) is guarded like a body', async () => {
    const hook = `Name=text&Events=contact.created&TargetUrl=${encodeURIComponent(`${receiver.url}/text`)}&Secret=s`;
    for (const [field, text] of [
      ['Filter', '{"__proto__":{"polluted":1}}'],
      ['ReceiverAuth', '{"Basic":{"constructor":{"prototype":{"polluted":1}}}}'],
    ] as const) {
      const form = await raw('POST', '/api/v1/Webhook', FORM, `${hook}&${field}=${encodeURIComponent(text)}`, basic());
      assert.equal(form.status, 400, form.text);
      assert.equal(JSON.parse(form.text).ErrorCode, 'input_forbidden_key', form.text);
      const xml = await raw(
        'POST',
        '/api/v1/Webhook',
        'application/xml',
        `<WebhookEntity><Name>x</Name><${field}>${text}</${field}></WebhookEntity>`,
        basic(),
      );
      assert.equal(xml.status, 400, xml.text);
      assert.match(xml.text, /input_forbidden_key/);
    }
    assertPrototypeClean();
  });

  it('a form body still nests Headers and Properties one level, as before', async () => {
    const res = await raw(
      'POST',
      '/api/v1/Webhook',
      FORM,
      `Name=form&Events=contact.created&TargetUrl=${encodeURIComponent(`${receiver.url}/form`)}&Secret=s&Headers.X-Key=v&Properties[p]=1`,
      basic(),
    );
    assert.equal(res.status, 200, res.text);
    const saved = JSON.parse(res.text);
    assert.deepEqual(saved.Headers, { 'X-Key': 'v' });
    assert.deepEqual(saved.Properties, { p: '1' });
  });
});

describe('ids out of range', () => {
  it('a token id too long for the store is a 400 naming the parameter, not a 500 (PostgreSQL: out of range for bigint)', async () => {
    for (const id of ['99999999999999999999', 'abc', '1e3']) {
      const res = await call(server.url, 'DELETE', `/api/v1/Auth/Tokens/${id}`);
      assert.equal(res.status, 400, `${id}: ${res.text.slice(0, 300)}`);
      assert.match(res.text, /id/, id);
    }
    assert.equal((await call(server.url, 'DELETE', '/api/v1/Auth/Tokens/999999999999999')).status, 404, 'a well-formed unknown id');
  });
});

describe('deep nesting (finding 8)', () => {
  const deepJson = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

  it(`a body nested 5,000 deep is a 400 in every format, at SignalEvent and Filter/Test alike`, async () => {
    const cases: Array<[string, string, string]> = [
      ['/api/v1/Webhook/contact.created/1', 'application/json', `{"Data":${deepJson(5000)}}`],
      ['/api/v1/Agents/Webhook/SignalEvent', 'application/json', `{"EventName":"contact.created","Data":${deepJson(5000)}}`],
      ['/api/v1/Webhook/Filter/Test', 'application/json', `{"Filter":{"a":1},"Payload":${deepJson(5000)}}`],
      ['/api/v1/Webhook/Filter/Test', 'application/json', `{"Filter":{"a":1},"Payload":${'['.repeat(5000)}${']'.repeat(5000)}}`],
      ['/api/v1/Webhook', 'application/xml', `<Webhook>${'<a>'.repeat(5000)}1${'</a>'.repeat(5000)}</Webhook>`],
    ];
    for (const [path, type, body] of cases) {
      const res = await raw('POST', path, type, body, basic());
      assert.equal(res.status, 400, `${path} ${type}: ${res.text.slice(0, 300)}`);
      assert.match(res.text, /"ErrorCode":"(body_too_deep|body_malformed)"/, path);
    }
  });

  it(`accepts ${MAX_INPUT_DEPTH - 2} levels of event Data and refuses ${MAX_INPUT_DEPTH}`, async () => {
    const ok = await raw(
      'POST',
      '/api/v1/Webhook/contact.created/1',
      'application/json',
      `{"Data":${deepJson(MAX_INPUT_DEPTH - 2)}}`,
      basic(),
    );
    assert.equal(ok.status, 204, ok.text);
    const deep = await raw(
      'POST',
      '/api/v1/Webhook/contact.created/1',
      'application/json',
      `{"Data":${deepJson(MAX_INPUT_DEPTH)}}`,
      basic(),
    );
    assert.equal(deep.status, 400, deep.text);
    assert.match(deep.text, /"ErrorCode":"body_too_deep"/);
  });
});

describe('portal tokens (finding 3)', () => {
  let hookId: number;
  let token: string;

  before(async () => {
    const hook = await call(server.url, 'POST', '/Other/api/v1/Webhook', {
      auth: olga,
      body: webhookBody(`${receiver.url}/portal`, { Name: 'portal hook' }),
      headers: { 'SO-AppToken': 'app-A' },
    });
    assert.equal(hook.status, 200, hook.text);
    hookId = hook.json.WebhookId;
    const t = await call(server.url, 'POST', '/Other/api/v1/Portal/Token', { auth: olga, headers: { 'SO-AppToken': 'app-A' }, body: {} });
    assert.equal(t.status, 200, t.text);
    token = t.json.Token;
  });

  const asPortal = (method: string, path: string, body?: unknown) =>
    call(server.url, method, `/Other/api/v1${path}`, { auth: `Portal ${token}`, body });

  it('never signals events, sends batches or recovers tenant-wide', async () => {
    const before = receiver.received.filter((r) => r.path === '/portal').length;
    for (const [method, path, body] of [
      ['POST', '/Webhook/contact.created/1', {}],
      ['POST', '/Webhook/Events', [{ EventName: 'contact.created', PrimaryKey: 1 }]],
      ['POST', '/Webhook/Recover', { Since: '30d', Status: 'All' }],
      ['POST', '/Agents/Webhook/SignalEvent', { EventName: 'contact.created', PrimaryKey: 1 }],
      ['GET', '/Retention', undefined],
    ] as const) {
      const res = await asPortal(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.match(res.text, /"ErrorCode":"forbidden"/);
    }
    await server.deliver();
    assert.equal(receiver.received.filter((r) => r.path === '/portal').length, before, 'no event reached the receiver');
  });

  it("recovers one webhook's failed deliveries, nothing more", async () => {
    const all = await asPortal('POST', `/Webhook/${hookId}/Recover?DryRun=true`, { Since: '30d', Status: 'All' });
    assert.equal(all.status, 403, all.text);
    const failed = await asPortal('POST', `/Webhook/${hookId}/Recover?DryRun=true`, { Since: '30d', Status: 'Failed' });
    assert.equal(failed.status, 200, failed.text);
  });

  it('manages its webhooks: list, read, change, log, statistics', async () => {
    assert.equal((await asPortal('GET', '/Webhook')).status, 200);
    assert.equal((await asPortal('GET', `/Webhook/${hookId}`)).status, 200);
    assert.equal((await asPortal('GET', `/Webhook/${hookId}/Deliveries`)).status, 200);
    assert.equal((await asPortal('GET', `/Webhook/${hookId}/Stats`)).status, 200);
    const renamed = await asPortal('PUT', `/Webhook/${hookId}`, webhookBody(`${receiver.url}/portal`, { Name: 'renamed by portal' }));
    assert.equal(renamed.status, 200, renamed.text);
  });
});

describe('NUL characters (PostgreSQL cannot store U+0000 in text)', () => {
  it('a NUL in a query value, a body string or a body name is a 400 naming where, on every store, and nothing is written', async () => {
    const before = (await call(server.url, 'GET', '/api/v1/Auth/Tokens')).json;
    for (const path of ['/api/v1/Webhook?nameFilter=%00', '/api/v1/Webhook?nameFilter=a&nameFilter=b%00', '/api/v1/Audit?Actor=%00']) {
      const res = await call(server.url, 'GET', path);
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.equal(res.json.ErrorCode, 'invalid_parameter', path);
      assert.match(res.json.ErrorMessage, /NUL/, path);
    }
    const bodies: Array<[string, unknown, RegExp]> = [
      ['/api/v1/Auth/Tokens', { Name: 'n\u0000' }, /\$\.Name/],
      ['/api/v1/Webhook', webhookBody(`${receiver.url}/nul`, { Name: 'a\u0000b' }), /\$\.Name/],
      ['/api/v1/Webhook', webhookBody(`${receiver.url}/nul`, { Properties: { 'k\u0000': 'v' } }), /\$\.Properties/],
      ['/api/v1/Webhook/Events', [{ EventName: 'contact.changed', PrimaryKey: 1, Data: { a: ['x\u0000'] } }], /\$\[0\]\.Data\.a\[0\]/],
    ];
    for (const [path, body, where] of bodies) {
      const res = await call(server.url, 'POST', path, { body });
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.equal(res.json.ErrorCode, 'invalid_field', path);
      assert.match(res.json.ErrorMessage, where, path);
      assert.match(res.json.ErrorMessage, /NUL/, path);
    }
    const form = await raw('POST', '/api/v1/Auth/Tokens', FORM, 'Name=n%00', basic());
    assert.equal(form.status, 400, form.text);
    assert.deepEqual((await call(server.url, 'GET', '/api/v1/Auth/Tokens')).json, before, 'no token was made');
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook?nameFilter=a')).status, 200, 'the process answers on');
  });
});

describe('lone surrogates (not UTF-8: each store keeps U+FFFD in text)', () => {
  it('an event whose text holds one is stored and delivered on every store, never a 500 for the batch', async () => {
    const sent = receiver.count;
    const res = await call(server.url, 'POST', '/api/v1/Webhook/Events', {
      body: [
        { EventName: 'contact.created', PrimaryKey: 7, Data: { ContextIdentifier: 'a\ud800b', FieldValues: { x: 'y\udc00' } } },
        { EventName: 'contact.created', PrimaryKey: 8 },
      ],
    });
    assert.equal(res.status, 204, res.text);
    // Every webhook of the tenant that watches contact.created gets both: wait for both at one of them.
    const bodies = () => Array.from({ length: receiver.count - sent }, (_, i) => receiver.json(sent + i));
    await waitUntil(() => [7, 8].every((k) => bodies().some((b) => b.PrimaryKey === k)), 10_000, 'both events delivered');
    const first = bodies().find((b) => b.PrimaryKey === 7)!;
    // A plain text column takes U+FFFD (as UTF-8 can carry no lone surrogate); a JSON column keeps JSON's escape.
    assert.equal(first.ContextIdentifier, 'a\ufffdb');
    assert.deepEqual(first.FieldValues, { x: 'y\udc00' });
  });
});

describe('event text round trips (the stores keep Data as JSON text, the payload splices it)', () => {
  it('quotes, escapes, line separators, astral characters, 100 KB and odd numbers arrive exactly as sent', async () => {
    const sent = receiver.count;
    const texts = ['q"uote', 'back\\slash', 'nl\nx', '\u2028\u2029', 'é😀', '\u0001\u001f', '</script>', 'x'.repeat(100_000), '{"a":1}'];
    const events = texts.map((text, i) => ({
      EventName: 'contact.created',
      PrimaryKey: 100 + i,
      Data: {
        ContextIdentifier: text,
        Changes: [text],
        FieldValues: { [text.slice(0, 50)]: text, n: 1e308, m: -0, f: 0.1 },
        Values: { v: [text] },
      },
    }));
    const res = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: events });
    assert.equal(res.status, 204, res.text);
    const bodies = () => Array.from({ length: receiver.count - sent }, (_, i) => receiver.json(sent + i));
    await waitUntil(() => events.every((e) => bodies().some((b) => b.PrimaryKey === e.PrimaryKey)), 15_000, 'every event delivered');
    for (const e of events) {
      const body = bodies().find((b) => b.PrimaryKey === e.PrimaryKey)!;
      assert.equal(body.ContextIdentifier, e.Data.ContextIdentifier);
      assert.deepEqual(body.Changes, e.Data.Changes);
      assert.deepEqual(body.FieldValues, JSON.parse(JSON.stringify(e.Data.FieldValues)), 'as JSON has them (-0 is 0)');
      assert.deepEqual(body.Values, e.Data.Values);
    }
  });
});
