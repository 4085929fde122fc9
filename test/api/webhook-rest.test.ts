/** The REST routes of /api/v1/Webhook over real HTTP against a real SQLite file. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;
let target: string;

before(async () => {
  receiver = await Receiver.start();
  target = `${receiver.url}/hook`;
  server = await startHookd();
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function create(overrides: Record<string, unknown> = {}) {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(target, overrides) });
  assert.equal(res.status, 200, res.text);
  return res.json as Record<string, any>;
}

describe('the current carrier in XML and with $select', () => {
  it('round-trips ErrorEmails, ErrorAssociates, Description, NotifyVia and NotifyWhen through XML, and $select keeps them', async () => {
    const xml =
      `<Webhook><Name>x</Name><Events><string>contact.created</string></Events><TargetUrl>${target}</TargetUrl>` +
      '<ErrorEmails><string>a@example.com</string><string>b@example.com</string></ErrorEmails>' +
      '<ErrorAssociates><item><Id>1</Id></item></ErrorAssociates><Description>in XML</Description>' +
      '<NotifyVia>Email, InApp</NotifyVia><NotifyWhen>1</NotifyWhen></Webhook>';
    const res = await call(server.url, 'POST', '/api/v1/Webhook', {
      headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' },
      body: xml,
    });
    assert.equal(res.status, 200, res.text);
    assert.match(
      res.text,
      /<ErrorsEmail>a@example\.com,b@example\.com<\/ErrorsEmail><ErrorEmails><string>a@example\.com<\/string><string>b@example\.com<\/string><\/ErrorEmails><ErrorAssociates><item><Id>1<\/Id><Name>admin<\/Name>/,
    );
    assert.match(res.text, /<Description>in XML<\/Description><NotifyVia>Email, InApp<\/NotifyVia><NotifyWhen>FirstFailure<\/NotifyWhen>/);
    const id = /<WebhookId>(\d+)<\/WebhookId>/.exec(res.text)![1];
    const selected = await call(server.url, 'GET', `/api/v1/Webhook/${id}?$select=ErrorEmails,NotifyVia,ErrorAssociates/Id`);
    assert.deepEqual(
      [selected.json.Name, selected.json.ErrorEmails, selected.json.NotifyVia, selected.json.Description],
      [null, ['a@example.com', 'b@example.com'], 'Email, InApp', null],
    );
  });
});

describe('POST /api/v1/Webhook', () => {
  it('answers 200 (not 201) with the whole carrier and _Links', async () => {
    const w = await create({ Headers: { 'X-Api-Key': 'k' }, Properties: { tenant: 'acme' }, ErrorsEmail: 'ops@example.com' });
    assert.equal(typeof w.WebhookId, 'number');
    assert.deepEqual(Object.keys(w), [
      'WebhookId',
      'Name',
      'Events',
      'TargetUrl',
      'Secret',
      'State',
      'Type',
      'Headers',
      'Properties',
      'Registered',
      'RegisteredAssociate',
      'Updated',
      'UpdatedAssociate',
      'ErrorsEmail',
      'ErrorEmails',
      'ErrorAssociates',
      'Description',
      'NotifyVia',
      'NotifyWhen',
      'TotalCalls',
      'TotalErrors',
      'ConsecutiveErrors',
      'LastError',
      'TableRight',
      'FieldProperties',
      'UpdatedCount',
      '_Links',
    ]);
    assert.deepEqual(w.TableRight, { Mask: 'Select, Update, Insert, Delete', Reason: '' });
    assert.deepEqual(w.FieldProperties.TotalCalls, { FieldRight: { Mask: 'Read', Reason: '' }, FieldType: 'System.Int32', FieldLength: 4 });
    assert.deepEqual(
      [w.ErrorEmails, w.ErrorAssociates, w.Description, w.NotifyVia, w.NotifyWhen],
      [['ops@example.com'], [], '', 'Email', 'Disabling'],
    );
    assert.equal(w.State, 'Active');
    assert.equal(w.Type, 'webhook');
    assert.deepEqual(w.Headers, { 'X-Api-Key': 'k' });
    assert.equal(w.RegisteredAssociate.UserName, 'admin');
    assert.match(w.Registered, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    assert.equal(w._Links.Self, `${server.url}/api/v1/Webhook/${w.WebhookId}`);
    assert.equal(w._Links.Archive, `${server.url}/api/v1/Webhook`);
    assert.deepEqual([w.TotalCalls, w.TotalErrors, w.ConsecutiveErrors, w.LastError, w.UpdatedCount], [0, 0, 0, '', 0]);
  });

  it('pings the target with the test event before saving, and refuses when it does not answer 2xx', async () => {
    // Port 9 (discard) is closed on loopback: the ping cannot connect.
    const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody('http://127.0.0.1:9/closed') });
    assert.equal(res.status, 400);
    assert.equal(res.json.ErrorCode, 'target_test_failed');
    assert.match(res.json.ErrorMessage, /did not answer the test event with a 2xx status.*ECONNREFUSED/);
    const list = await call(server.url, 'GET', '/api/v1/Webhook?nameFilter=Test%20hook');
    assert.ok(
      list.json.every((w: any) => w.TargetUrl !== 'http://127.0.0.1:9/closed'),
      'nothing half-written',
    );
  });

  it('answers 400 body_missing without a body', async () => {
    const res = await call(server.url, 'POST', '/api/v1/Webhook', { headers: { 'Content-Type': 'application/json' }, body: '' });
    assert.equal(res.status, 400);
    assert.equal(res.json.ErrorCode, 'body_missing');
  });
});

describe('GET, PUT, DELETE /api/v1/Webhook/{id}', () => {
  it('gets a webhook, and 404 in the NetServer envelope for an unknown id', async () => {
    const w = await create();
    const got = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(got.json, w);
    const missing = await call(server.url, 'GET', '/api/v1/Webhook/999999');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, {
      Error: true,
      ErrorType: 'SoNotFoundException',
      ErrorMessage: 'Webhook id 999999 not found',
      ErrorSource: 'hookd',
      ErrorCode: 'not_found',
    });
  });

  it('answers 304 to If-Modified-Since when unchanged', async () => {
    const w = await create();
    const got = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`);
    const lastModified = got.headers.get('last-modified') as string;
    const again = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`, { headers: { 'If-Modified-Since': lastModified } });
    assert.equal(again.status, 304);
  });

  it('replaces with PUT, counting updates and stamping the updater', async () => {
    const w = await create();
    const res = await call(server.url, 'PUT', `/api/v1/Webhook/${w.WebhookId}`, {
      body: { ...w, Name: 'Renamed', Events: ['sale.changed', 'sale.sold'], Registered: '1999-01-01T00:00:00', TotalCalls: 99 },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.Name, 'Renamed');
    assert.deepEqual(res.json.Events, ['sale.changed', 'sale.sold']);
    assert.equal(res.json.Registered, w.Registered, 'read-only properties are ignored');
    assert.equal(res.json.TotalCalls, 0);
    assert.equal(res.json.UpdatedCount, 1);
  });

  it('answers 412 to PUT with If-Unmodified-Since before the last change', async () => {
    const w = await create();
    const res = await call(server.url, 'PUT', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' },
      body: { ...w, Name: 'x' },
    });
    assert.equal(res.status, 412);
    assert.equal(res.json.ErrorCode, 'precondition_failed');
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`)).json.Name, 'Test hook');
  });

  it('answers 404 to PUT of an unknown id and 400 when the body is missing', async () => {
    assert.equal((await call(server.url, 'PUT', '/api/v1/Webhook/999999', { body: webhookBody(target) })).status, 404);
    const w = await create();
    const res = await call(server.url, 'PUT', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/json' },
      body: '',
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.ErrorMessage, 'Entity to save is not in request body.');
  });

  it('deletes with 204, after which the id is 404', async () => {
    const w = await create();
    const res = await call(server.url, 'DELETE', `/api/v1/Webhook/${w.WebhookId}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`)).status, 404);
    assert.equal((await call(server.url, 'DELETE', `/api/v1/Webhook/${w.WebhookId}`)).status, 404);
  });

  it('answers GetLastError with a JSON string', async () => {
    const w = await create();
    const res = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/LastError`);
    assert.equal(res.status, 200);
    assert.equal(res.text, '""');
  });
});

describe('PATCH /api/v1/Webhook/{id}', () => {
  it('applies a JSON Patch with case-insensitive paths', async () => {
    const w = await create();
    const res = await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: [
        { op: 'test', path: 'name', value: 'Test hook' },
        { op: 'replace', path: '/NAME', value: 'Patched' },
        { op: 'add', path: '/Events/-', value: 'person.created' },
        { op: 'remove', path: '/Secret' },
      ],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.Name, 'Patched');
    assert.deepEqual(res.json.Events, ['contact.created', 'person.created']);
    assert.equal(res.json.Secret, '', 'an unset string is "" (NetServer carriers)');
  });

  it('applies a Merge Patch', async () => {
    const w = await create({ Headers: { 'X-A': '1' } });
    const res = await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { Name: 'Merged', Headers: { 'X-A': null, 'X-B': '2' } },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.Name, 'Merged');
    assert.deepEqual(res.json.Headers, { 'X-B': '2' });
  });

  it('answers 409 when a test op fails, 400 for move, 404 for an unknown id; nothing is written', async () => {
    const w = await create();
    const failed = await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: [
        { op: 'replace', path: '/Name', value: 'X' },
        { op: 'test', path: '/Name', value: 'not it' },
      ],
    });
    assert.equal(failed.status, 409);
    assert.equal(failed.json.ErrorCode, 'patch_test_failed');
    const move = await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: [{ op: 'move', from: '/Name', path: '/Secret' }],
    });
    assert.equal(move.status, 400);
    assert.equal(move.json.ErrorCode, 'invalid_patch');
    const invalid = await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: [{ op: 'replace', path: '/Events', value: ['con*.created'] }], // 'BAD' is a custom name now
    });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.ErrorCode, 'invalid_field');
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`)).json.Name, 'Test hook');
    const unknown = await call(server.url, 'PATCH', '/api/v1/Webhook/999999', {
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: [{ op: 'replace', path: '/Name', value: 'X' }],
    });
    assert.equal(unknown.status, 404);
  });
});

describe('$select', () => {
  it('nulls the other fields on GET, POST, PUT and PATCH', async () => {
    const w = await create();
    const full = (await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`)).json;
    // Every property but Name and State is null; those two keep their values; _Links is kept.
    const check = (json: any, name: string) => {
      assert.deepEqual(Object.keys(json), Object.keys(full), 'the carrier keeps every property');
      for (const key of Object.keys(full)) {
        if (key === 'Name') assert.equal(json.Name, name);
        else if (key === 'State') assert.equal(json.State, 'Active');
        else if (key === '_Links') assert.match(json._Links.Self, /\/api\/v1\/Webhook\/\d+$/);
        else assert.equal(json[key], null, `${key} is nulled`);
      }
    };
    check((await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}?$select=name,state`)).json, 'Test hook');
    check((await call(server.url, 'POST', '/api/v1/Webhook?$select=Name,State', { body: webhookBody(target) })).json, 'Test hook');
    check(
      (await call(server.url, 'PUT', `/api/v1/Webhook/${w.WebhookId}?$select=name,STATE`, { body: webhookBody(target, { Name: 'P' }) }))
        .json,
      'P',
    );
    check(
      (
        await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}?$select=name,state`, {
          headers: { 'Content-Type': 'application/merge-patch+json' },
          body: { Name: 'S' },
        })
      ).json,
      'S',
    );
  });
});

describe('GET /api/v1/Webhook (GetAllWebhooks) and /default', () => {
  it('filters by name, event (wildcards included) and status', async () => {
    const a = await create({ Name: 'filter-a', Events: ['project.created'] });
    const b = await create({ Name: 'filter-b', Events: ['project.*'], State: 'Stopped' });
    const byName = await call(server.url, 'GET', '/api/v1/Webhook?nameFilter=filter-a');
    assert.deepEqual(
      byName.json.map((w: any) => w.WebhookId),
      [a.WebhookId],
    );
    assert.equal('_Links' in byName.json[0], false);
    const byEvent = await call(server.url, 'GET', '/api/v1/Webhook?eventFilter=project.created');
    assert.deepEqual(
      byEvent.json.map((w: any) => w.WebhookId),
      [a.WebhookId, b.WebhookId],
    );
    const stopped = await call(server.url, 'GET', '/api/v1/Webhook?eventFilter=project.created&statusFilter=Stopped');
    assert.deepEqual(
      stopped.json.map((w: any) => w.WebhookId),
      [b.WebhookId],
    );
    const all = await call(server.url, 'GET', '/api/v1/Webhook?eventFilter=project.created&statusFilter=Unknown');
    assert.equal(all.json.length, 2);
    const bad = await call(server.url, 'GET', '/api/v1/Webhook?statusFilter=Sleeping');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.ErrorCode, 'invalid_parameter');
  });

  it('serves the documented defaults', async () => {
    const res = await call(server.url, 'GET', '/api/v1/Webhook/default');
    assert.ok(
      res.text.startsWith(
        '{"WebhookId":0,"Name":null,"Events":["contact.created","contact.deleted"],"TargetUrl":null,"Secret":null,"State":"Active",' +
          '"Type":"webhook","Headers":null,"Properties":null,"Registered":"0001-01-01T00:00:00","RegisteredAssociate":null,' +
          '"Updated":"0001-01-01T00:00:00","UpdatedAssociate":null,"ErrorsEmail":null,' +
          '"ErrorEmails":[],"ErrorAssociates":[],"Description":"","NotifyVia":"Email","NotifyWhen":"Disabling",' +
          '"TotalCalls":0,"TotalErrors":0,"ConsecutiveErrors":0,"LastError":"","TableRight":{"Mask":"Select, Update, Insert, Delete","Reason":""},' +
          '"FieldProperties":{"WebhookId":{"FieldRight":{"Mask":"Read","Reason":""},"FieldType":"System.Int32","FieldLength":4},',
      ),
      res.text,
    );
  });
});

describe('headers of the request', () => {
  it('SO-TimeZone: SuperOffice codes or IANA names, with includeTZOffset; created and updated dates stay UTC; an unknown zone is a 400', async () => {
    const w = await create({ Events: ['sale.sold'] });
    await call(server.url, 'POST', '/api/v1/Webhook/sale.sold/5', { body: {} });
    const utc = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`);
    const created = utc.json.Items[0].Created as string;
    assert.match(created, /Z$/);
    for (const [zone, pattern] of [
      ['Asia/Kolkata, includeTZOffset', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+0530$/],
      ['BD,includeTZOffset', /\+0600$/],
      ['includeTZOffset', /Z$/],
      ['FR', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/],
    ] as const) {
      const got = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`, { headers: { 'SO-TimeZone': zone } });
      assert.equal(got.json.Registered, w.Registered, `${zone}: Registered is UTC whatever the header says`);
      const log = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`, { headers: { 'SO-TimeZone': zone } });
      const shown = log.json.Items[0].Created as string;
      assert.match(shown, pattern, zone);
      if (zone !== 'FR') assert.equal(new Date(shown).getTime(), new Date(created).getTime(), zone);
    }
    const bad = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`, { headers: { 'SO-TimeZone': 'Mars/Olympus' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.ErrorMessage, /SO-TimeZone.*'Mars\/Olympus'/);
    const list = await call(server.url, 'GET', '/api/v1/timezone');
    assert.deepEqual(
      list.json.find((z: any) => z.timeZone === 'NO'),
      {
        id: list.json.find((z: any) => z.timeZone === 'NO').id,
        timeZone: 'NO',
        country: 'Norway',
        region: '',
        offset: '+1:00',
        daylight: '+2:00',
        isActive: 1,
        zone: 'Europe/Oslo',
      },
    );
  });

  it('speaks Norwegian when asked (SO-Language overrides Accept-Language)', async () => {
    const nb = await call(server.url, 'GET', '/api/v1/Webhook/999998', { headers: { 'Accept-Language': 'nb-NO,nb;q=0.9' } });
    assert.equal(nb.json.ErrorMessage, 'Webhook med id 999998 finnes ikke');
    const en = await call(server.url, 'GET', '/api/v1/Webhook/999998', { headers: { 'Accept-Language': 'nb', 'SO-Language': 'en' } });
    assert.equal(en.json.ErrorMessage, 'Webhook id 999998 not found');
  });
});
