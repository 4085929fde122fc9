/**
 * The Webhook archive providers (issue 23, superoffice-webhooks.md §1.5): `GET /api/v1/archive/Webhook` with
 * WebhookProvider's columns, `$select`, `$filter`, `$orderby`, `$top`/`$skip`; the troubleshooting guide's dynamic
 * `webhook_usage.*` query for one webhook; the ArchiveAgent twin (SuperOffice's own clients in
 * superoffice-clients.test.ts). Real HTTP on loopback, a TestClock, on the store the run names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const clock = new TestClock();
let server: TestServer;
let receiver: Receiver;
const ids: Record<string, number> = {};

before(async () => {
  receiver = await Receiver.start((req, res) => {
    res.statusCode = req.path === '/fail' && !req.headers['x-hook-test'] ? 500 : 200;
    res.end(res.statusCode === 500 ? 'down' : 'ok');
  });
  server = await startHookd({}, { clock });
  for (const [name, path, events] of [
    ['Alpha', '/ok', ['contact.created']],
    ['Bravo', '/fail', ['contact.created', 'sale.sold']],
    ['Charlie', '/ok', ['person.changed', 'sale.sold', 'sale.lost']],
  ] as const) {
    const res = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}${path}`, { Name: name, Events: events }),
    });
    assert.equal(res.status, 200, res.text);
    ids[name] = res.json.WebhookId;
    clock.advance(1000);
  }
  await call(server.url, 'POST', '/api/v1/Webhook/contact.created/1', { body: {} });
  await server.deliver();
  const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
    body: { ContextIdentifier: 'Other', UserName: 'olga', Password: 'olga-password' },
  });
  assert.equal(tenant.status, 200);
});
after(async () => {
  await server.close();
  await receiver.close();
});

const archive = (query: string, options: { auth?: string; headers?: Record<string, string> } = {}) =>
  call(server.url, 'GET', `/api/v1/archive/Webhook${query}`, options);

describe('GET /api/v1/archive/Webhook (WebhookProvider)', () => {
  it('answers every documented column of every webhook, in OData form', async () => {
    const res = await archive('');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json['odata.nextLink'], null);
    assert.equal(res.json.value.length, 3);
    const bravo = res.json.value.find((r: any) => r.name === 'Bravo');
    assert.deepEqual(bravo, {
      PrimaryKey: ids.Bravo,
      EntityName: 'webhook',
      webhookId: ids.Bravo,
      name: 'Bravo',
      events: 'contact.created,sale.sold',
      targetUrl: `${receiver.url}/fail`,
      type: 'webhook',
      eventCount: 2,
      updatedByFullName: 'Administrator',
      registeredBy: 'Administrator',
      registeredDate: '2026-01-05T09:00:01.0000000Z',
      'webhookUsage/totalCalls': 1,
      'webhookUsage/totalErrors': 1,
      'webhookUsage/consecutiveErrors': 1,
      'webhookUsage/lastError': bravo['webhookUsage/lastError'],
      'webhookUsage/lastEvent': '2026-01-05T09:00:03.0000000Z',
      'webhookUsage/status': 'ActiveWithFailures',
    });
    assert.match(bravo['webhookUsage/lastError'], /^HTTP\/1\.1 500/);
    const oslo = await archive(`?$select=registeredDate&$filter=webhookId eq ${ids.Bravo}`, {
      headers: { 'SO-TimeZone': 'NO, includeTZOffset' },
    });
    assert.equal(oslo.json.value[0].registeredDate, '2026-01-05T10:00:01.0000000+0100', 'dates follow SO-TimeZone');
    const charlie = res.json.value.find((r: any) => r.name === 'Charlie');
    assert.deepEqual([charlie['webhookUsage/lastEvent'], charlie['webhookUsage/status']], [null, 'Active']);
  });

  it('takes $select, $filter, $orderby, $top and $skip (with a next link)', async () => {
    const res = await archive(`?$select=name,eventCount&$filter=eventCount ge 2 and name contains 'a'&$orderby=eventCount desc`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.value, [
      { PrimaryKey: ids.Charlie, EntityName: 'webhook', name: 'Charlie', eventCount: 3 },
      { PrimaryKey: ids.Bravo, EntityName: 'webhook', name: 'Bravo', eventCount: 2 },
    ]);
    const first = await archive('?$select=name&$orderby=name&$top=2');
    assert.deepEqual(
      first.json.value.map((r: any) => r.name),
      ['Alpha', 'Bravo'],
    );
    assert.match(first.json['odata.nextLink'], /\/api\/v1\/archive\/Webhook\?.*%24skip=2/);
    const second = await archive('?$select=name&$orderby=name&$top=2&$skip=2');
    assert.deepEqual(
      second.json.value.map((r: any) => r.name),
      ['Charlie'],
    );
    const failing = await archive(`?$select=name&$filter=webhookUsage/status eq 'ActiveWithFailures'`);
    assert.deepEqual(
      failing.json.value.map((r: any) => r.name),
      ['Bravo'],
    );
    const since = await archive(`?$select=name&$filter=registeredDate gt '2026-01-05T09:00:00.5Z' and startswith(name,'b')`);
    assert.deepEqual(
      since.json.value.map((r: any) => r.name),
      ['Bravo'],
    );
  });

  it('shows another tenant nothing, and an application only its own webhooks', async () => {
    const other = await call(server.url, 'GET', '/Other/api/v1/archive/Webhook', { auth: basic('olga', 'olga-password') });
    assert.equal(other.status, 200);
    assert.deepEqual(other.json.value, []);
    const app = await archive('', { headers: { 'SO-AppToken': 'some-app' } });
    assert.deepEqual(app.json.value, []);
  });

  const bad: Array<[string, string, number, string]> = [
    ['an unknown column', '?$select=name,secret', 400, 'invalid_field'],
    ['an unknown operator', "?$filter=name sounds 'x'", 400, 'invalid_field'],
    ['a value of the wrong kind', "?$filter=eventCount gt 'many'", 400, 'invalid_field'],
    ['or (not read)', "?$filter=name eq 'a' or name eq 'b'", 400, 'invalid_parameter'],
    ['a negative $top', '?$top=-1', 400, 'invalid_parameter'],
    ['a prototype key', '?__proto__=1', 400, 'input_forbidden_key'],
    ['a huge filter', `?$filter=${"name eq 'x' and ".repeat(400)}name eq 'x'`, 400, 'invalid_parameter'],
  ];
  for (const [what, query, status, code] of bad) {
    it(`refuses ${what} with ${status} ${code}`, async () => {
      const res = await archive(query);
      assert.deepEqual([res.status, res.json?.ErrorCode], [status, code], res.text);
    });
  }

  it('answers 404 for a provider hookd does not have, and 403 to a portal token', async () => {
    const res = await call(server.url, 'GET', '/api/v1/archive/Contact');
    assert.deepEqual([res.status, res.json.ErrorCode], [404, 'not_found']);
    const portal = await call(server.url, 'POST', '/api/v1/Portal/Token', { body: {} });
    const denied = await call(server.url, 'GET', '/api/v1/archive/Webhook', { auth: `Portal ${portal.json.Token}` });
    assert.equal(denied.status, 403);
  });
});

describe("the troubleshooting guide's dynamic webhook_usage query", () => {
  it("answers one webhook's statistics", async () => {
    const select = 'webhook_usage.total_calls,webhook_usage.total_errors,webhook_usage.consecutive_errors,webhook_usage.last_error';
    const res = await call(
      server.url,
      'GET',
      `/api/v1/Archive/dynamic?$select=${select}&$filter=webhook_usage.webhook_usage_id eq ${ids.Bravo}`,
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.value.length, 1);
    const row = res.json.value[0];
    assert.deepEqual(
      [row.PrimaryKey, row['webhook_usage.total_calls'], row['webhook_usage.total_errors'], row['webhook_usage.consecutive_errors']],
      [ids.Bravo, 1, 1, 1],
    );
    assert.match(row['webhook_usage.last_error'], /500/);
    // Read alone (not the whole list): an id nobody has, or past int32, is no row, not an error.
    for (const id of [999_999, 99_999_999_999]) {
      const none = await call(server.url, 'GET', `/api/v1/Archive/dynamic?$filter=webhook_usage.webhook_usage_id eq ${id}`);
      assert.deepEqual([none.status, none.json.value], [200, []]);
    }
    const other = await call(server.url, 'GET', `/Other/api/v1/Archive/dynamic?$filter=webhook_usage.webhook_usage_id eq ${ids.Bravo}`, {
      auth: basic('olga', 'olga-password'),
    });
    assert.deepEqual(other.json.value, [], "another tenant's id is no row");
  });
});

describe('POST /api/v1/Agents/Archive/GetArchiveListByColumns (raw)', () => {
  it('encodes DisplayValues as NetServer does and pages from 0', async () => {
    const res = await call(server.url, 'POST', '/api/v1/Agents/Archive/GetArchiveListByColumns', {
      body: {
        ProviderName: 'Webhook',
        Columns: ['name', 'eventCount', 'registeredDate'],
        SortOrder: [{ Name: 'name', Direction: 'DESC' }],
        Restriction: [{ Name: 'eventCount', Operator: 'greater', Values: ['[I:1]'], IsActive: true }],
        Page: 0,
        PageSize: 1,
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [
      {
        TableRight: null,
        FieldProperties: {},
        EntityName: 'webhook',
        PrimaryKey: ids.Charlie,
        ColumnData: {
          name: { DisplayValue: 'Charlie', TooltipHint: '', LinkHint: '' },
          eventCount: { DisplayValue: '[I:3]', TooltipHint: '', LinkHint: '' },
          registeredDate: { DisplayValue: '[DT:01/05/2026 09:00:02.0000000]', TooltipHint: '', LinkHint: '' },
        },
        LinkHint: `webhook?webhook_id=${ids.Charlie}`,
        StyleHint: '',
      },
    ]);
    const unknown = await call(server.url, 'POST', '/api/v1/Agents/Archive/GetArchiveList9', { body: {} });
    assert.equal(unknown.status, 404);
  });
});
