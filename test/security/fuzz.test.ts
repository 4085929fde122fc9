/**
 * Generated hostile input at every route of the OpenAPI document (and the RPC methods): malformed and
 * random bodies in JSON, XML, JSON Patch and merge-patch, odd headers, strange path values. hookd must
 * answer every one below 500 with an error envelope, stay up, and never leave a half-written webhook
 * (its subscription rows always match its Events). Prototype keys and deep nesting go in every body format and
 * query string; afterwards Object.prototype must be untouched (the server runs in this process).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { basic, call, startHookd, type TestServer } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const RUNS = Number(process.env.HOOKD_FUZZ_RUNS ?? 3000);
let server: TestServer;
let receiver: Receiver;
let routes: Array<{ method: string; path: string }>;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({ loginFailureLimit: 0, rateLimitPerMinute: 0, savePing: false });
  const spec = (await call(server.url, 'GET', '/api/v1/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path: path.replace(/^\/api\/v1/, '') })),
  );
  for (const m of [
    'CreateDefaultWebhook',
    'SaveWebhook',
    'DeleteWebhook',
    'GetWebhook',
    'GetAllWebhooks',
    'TestWebhook',
    'SignalEvent',
    'GetLastError',
  ]) {
    routes.push({ method: 'POST', path: `/Agents/Webhook/${m}` });
  }
  // Something to hit with ids 1..3.
  for (let i = 0; i < 3; i++) {
    await call(server.url, 'POST', '/api/v1/Webhook', {
      body: { Name: `seed ${i}`, Events: ['contact.created', 'sale.*'], TargetUrl: `${receiver.url}/fuzz`, Secret: 's' },
    });
  }
});
after(async () => {
  await server.close();
  await receiver.close();
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    'null',
    '../../etc/passwd',
    '%00',
    '%E0%A4%A',
    '<x/>',
    "' OR 1=1 --",
    'ø'.repeat(300),
  ),
);
const anyValue = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 4 }),
  fc.json({ maxDepth: 3 }),
);
const fieldNames = [
  'Name',
  'Events',
  'TargetUrl',
  'Secret',
  'State',
  'Type',
  'Headers',
  'Properties',
  'WebhookId',
  'ErrorsEmail',
  'EventName',
  'PrimaryKey',
  'Data',
  'webhook',
  'id',
  'Token',
  '__proto__',
  'constructor',
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const carrier = fc.dictionary(fc.constantFrom(...fieldNames), anyValue, { maxKeys: 8 });
const nearlyValid = fc.record({
  Name: fc.oneof(text, fc.constant('ok name')),
  Events: fc.oneof(fc.array(fc.oneof(text, fc.constantFrom('contact.created', 'sale.*', '*', 'x.y.z')), { maxLength: 5 }), anyValue),
  TargetUrl: fc.oneof(fc.constant('RECEIVER/fuzz'), fc.webUrl(), text),
  State: fc.oneof(fc.constantFrom('Active', 'Stopped', 'TooManyErrors', 'Unknown', 5), anyValue),
  Headers: fc.oneof(fc.dictionary(text, text, { maxKeys: 3 }), anyValue),
});
const patch = fc.array(
  fc.record({
    op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), text),
    path: fc.oneof(fc.constantFrom('/Name', '/Events/0', '/Events/-', '/State', '/__proto__/x', '/WebhookId', ''), text),
    value: anyValue,
    from: fc.option(text),
  }),
  { maxLength: 4 },
);
const tag = fc.constantFrom('WebhookEntity', 'Webhook', 'Name', 'Events', 'string', 'TargetUrl', 'x:y', '1bad', 'State');
const xml = fc.oneof(
  fc
    .tuple(tag, fc.array(fc.tuple(tag, text), { maxLength: 5 }))
    .map(([root, kids]) => `<?xml version="1.0"?><${root}>${kids.map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</${root}>`),
  fc.constantFrom(
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><WebhookEntity><Name>&b;</Name></WebhookEntity>',
    '<WebhookEntity><Name>unclosed</WebhookEntity>',
    '<a>'.repeat(2000),
    '<?xml version="1.0" encoding="UTF-16"?><x/>',
  ),
  text,
);
const body = fc.oneof(
  carrier.map((c) => ({ type: 'application/json', text: JSON.stringify(c) })),
  nearlyValid.map((c) => ({ type: 'application/json', text: JSON.stringify(c) })),
  fc.array(carrier, { maxLength: 3 }).map((c) => ({ type: 'application/json', text: JSON.stringify(c) })),
  patch.map((p) => ({ type: 'application/json-patch+json', text: JSON.stringify(p) })),
  carrier.map((c) => ({ type: 'application/merge-patch+json', text: JSON.stringify(c) })),
  xml.map((x) => ({ type: 'application/xml', text: x })),
  fc
    .tuple(
      fc.constantFrom(
        'application/json',
        'application/xml',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'garbage',
      ),
      text,
    )
    .map(([type, t]) => ({ type, text: t })),
  fc.constant({ type: 'application/json', text: '{"a":'.repeat(5000) }),
  // Issue 20: prototype keys and deep nesting in every body format.
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), fc.constantFrom(...fieldNames), text)
    .chain(([key, field, value]) =>
      fc.constantFrom(
        { type: 'application/x-www-form-urlencoded', text: `Name=a&${key}.${field}=${encodeURIComponent(value)}` },
        { type: 'application/x-www-form-urlencoded', text: `${key}[${field}]=${encodeURIComponent(value)}&Events=contact.created` },
        { type: 'application/x-www-form-urlencoded', text: `Headers.${key}=${encodeURIComponent(value)}` },
        { type: 'application/json', text: `{"Name":"a","Data":{"x":{"${key}":{"${field}":1}}}}` },
        { type: 'application/merge-patch+json', text: `{"${key}":{"${field}":"Stopped"}}` },
        { type: 'application/json-patch+json', text: `[{"op":"add","path":"/${key}/${field}","value":1}]` },
        { type: 'application/xml', text: `<Webhook><${key}><${field}>1</${field}></${key}></Webhook>` },
      ),
    ),
  fc
    .nat({ max: 6000 })
    .chain((depth) =>
      fc.constantFrom(
        { type: 'application/json', text: `{"Data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}` },
        { type: 'application/json', text: `${'['.repeat(depth)}${']'.repeat(depth)}` },
        { type: 'application/merge-patch+json', text: `${'{"Headers":'.repeat(depth)}1${'}'.repeat(depth)}` },
        { type: 'application/xml', text: `<Webhook>${'<a>'.repeat(depth)}1${'</a>'.repeat(depth)}</Webhook>` },
      ),
    ),
  fc.constant(null),
);
const auth = fc.oneof(
  { weight: 6, arbitrary: fc.constant(basic()) },
  fc.constantFrom(
    'Basic',
    'Basic !!!',
    'Bearer ',
    'Bearer x',
    'SoTicket 7T:abc',
    'Digest a=b',
    basic('admin', 'wrong'),
    basic('nobody', ''),
  ),
);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const pathValue = fc.oneof(
  fc.nat({ max: 5 }).map(String),
  text.map(encodeURIComponent),
  fc.constantFrom('0', '-1', '99999999999999999999', '1.5', '%2e%2e'),
);
const request = fc.record({
  route: fc.nat(),
  method: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), { freq: 4 }),
  params: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
  query: fc.option(
    fc.tuple(fc.constantFrom('$select', '$top', '$skip', 'name', 'event', 'state', 'weird', ...PROTO_KEYS, '__proto__[x]'), headerValue),
  ),
  body,
  auth,
  accept: fc.option(
    fc.constantFrom('application/json', 'application/xml', 'text/xml', '*/*', 'text/html', 'application/json;q=0', 'garbage'),
  ),
  extra: fc.option(
    fc.tuple(
      fc.constantFrom('SO-TimeZone', 'SO-Language', 'SO-AppToken', 'Accept-Language', 'SO-Culture', 'X-XSRF-TOKEN', 'If-Match'),
      headerValue,
    ),
  ),
});

describe('input fuzzing', () => {
  it(`answers ${RUNS} generated hostile requests below 500, and stays whole`, { timeout: 300_000 }, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const route = routes[r.route % routes.length]!;
        let i = 0;
        const path = route.path.replace(/\{[^}]+\}/g, () => r.params[i++ % 3]!);
        const query = r.query ? `?${encodeURIComponent(r.query[0])}=${encodeURIComponent(r.query[1])}` : '';
        const method = r.method ?? route.method;
        const headers: Record<string, string> = { Authorization: r.auth };
        if (r.accept) headers.Accept = r.accept;
        if (r.extra) headers[r.extra[0]] = r.extra[1];
        const sendsBody = r.body !== null && method !== 'GET' && method !== 'DELETE';
        if (sendsBody) headers['Content-Type'] = r.body!.type;
        const res = await fetch(`${server.url}/api/v1${path}${query}`, {
          method,
          headers,
          body: sendsBody ? r.body!.text.replace('RECEIVER', receiver.url) : undefined,
        });
        const answer = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(
          res.status < 500,
          `${method} ${path}${query} (${r.body?.type}: ${r.body?.text.slice(0, 200)}) answered ${res.status}: ${answer.slice(0, 300)}`,
        );
        if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) {
          assert.match(
            answer,
            /"ErrorCode":"[a-z_]+"/,
            `an error envelope for ${method} ${path.slice(0, 100)}: ${res.status} ${answer.slice(0, 300)}`,
          );
        }
      }),
      {
        numRuns: RUNS,
        includeErrorInReport: true,
        // Counterexamples earlier runs found, replayed first on every run.
        examples: [
          [
            {
              route: 0,
              method: 'POST',
              params: ['0', '0', ''],
              query: null,
              body: { type: 'application/xml', text: '<A/' },
              auth: basic(),
              accept: null,
              extra: null,
            },
          ],
        ],
      },
    );
    console.log(
      `fuzz: ${RUNS} requests over ${routes.length} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );

    // The server runs in this process: nothing it parsed may have reached Object.prototype (issue 20).
    assert.deepEqual(Object.keys(Object.prototype), [], 'Object.prototype untouched');
    for (const field of fieldNames.filter((f) => !PROTO_KEYS.includes(f)))
      assert.equal(({} as Record<string, unknown>)[field], undefined, `no inherited ${field}`);
    assert.ok((await fetch(`${server.url}/metrics`)).status < 500, 'metrics still render');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still up');
    const db = new Database(join(server.dataDir, 'hookd.db'), { readonly: true });
    try {
      const hooks = db.prepare('SELECT id, events FROM webhooks').all() as Array<{ id: number; events: string }>;
      for (const h of hooks) {
        const rows = (
          db.prepare('SELECT event FROM webhook_events WHERE webhook_id = ? ORDER BY event').all(h.id) as Array<{ event: string }>
        ).map((x) => x.event);
        const events = h.events === '' ? [] : [...new Set(h.events.split(','))].sort();
        assert.deepEqual(rows, events, `webhook ${h.id}: subscription rows match its Events`);
      }
      const orphans = db
        .prepare('SELECT count(*) AS n FROM deliveries d LEFT JOIN events e ON e.id = d.event_id WHERE e.id IS NULL')
        .get() as { n: number };
      assert.equal(orphans.n, 0, 'no delivery without its event');
    } finally {
      db.close();
    }
  });
});
