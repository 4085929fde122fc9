/** What a receiver gets, byte for byte: body, field order, every header, the signature. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start();
  // A test clock: nothing is sent until the test calls server.deliver(), so "nobody else got it" is exact, not a wait.
  server = await startHookd({}, { clock: new TestClock() });
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function hook(path: string, overrides: Record<string, unknown> = {}) {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, overrides) });
  assert.equal(res.status, 200, res.text);
  return res.json as Record<string, any>;
}

function deliveriesTo(path: string) {
  return receiver.received.filter((r) => r.path === path);
}

describe('a delivery on the wire', () => {
  it('carries the exact NetServer body, headers in order, custom headers and a correct signature', async () => {
    const w = await hook('/exact', {
      Name: 'Tonys Contact Handler',
      Events: ['contact.changed'],
      Secret: 'hémlig-nyckel',
      Headers: { 'X-Api-Key': 'abc', 'X-Tenant': 't1' },
      Properties: { region: 'eu', weight: 3 },
    });
    const signal = await call(server.url, 'POST', '/api/v1/Webhook/contact.changed/18', {
      body: { Changes: ['contact_id', 'updated_associate_id', 'soundEx', 'updated', 'name'], ChangedByAssociateId: 5 },
    });
    assert.equal(signal.status, 204);
    assert.equal(signal.headers.get('x-hookd-deliveries'), '1');
    await server.deliver();
    const got = deliveriesTo('/exact')[0]!;
    const text = got.body.toString('utf8');
    const body = JSON.parse(text);

    assert.match(body.EventId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(body.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    assert.equal(
      text,
      `{"EventId":"${body.EventId}","Timestamp":"${body.Timestamp}","Changes":["contact_id","updated_associate_id","soundEx","updated","name"],` +
        '"Event":"contact.changed","PrimaryKey":18,"Entity":"contact","ContextIdentifier":"Default","ChangedByAssociateId":5,' +
        '"WebhookName":"Tonys Contact Handler","region":"eu","weight":3}',
    );
    assert.equal(got.method, 'POST');
    const names = got.headerOrder.map((h) => h.toLowerCase());
    const ours = names.filter((h) => !['host', 'connection', 'content-length'].includes(h));
    assert.deepEqual(ours, [
      'content-type',
      'user-agent',
      'x-superoffice-event',
      'x-superoffice-eventid',
      'x-superoffice-retry',
      'x-superoffice-signature',
      'x-api-key',
      'x-tenant',
    ]);
    assert.equal(got.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(got.headers['user-agent'] as string, /^NetServer-Webhook\/\d+\.\d+\.\d+$/);
    assert.equal(got.headers['x-superoffice-event'], 'contact.changed');
    assert.equal(got.headers['x-superoffice-eventid'], body.EventId);
    assert.equal(got.headers['x-superoffice-retry'], '0');
    assert.equal(got.headers['x-api-key'], 'abc');
    assert.equal(got.headers['content-length'], String(got.body.length));
    const expected = createHmac('sha256', Buffer.from('hémlig-nyckel', 'utf8')).update(got.body).digest('base64');
    assert.equal(got.headers['x-superoffice-signature'], expected);

    const stats = (await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`)).json;
    assert.deepEqual([stats.TotalCalls, stats.TotalErrors, stats.ConsecutiveErrors, stats.LastError], [1, 0, 0, '']);
  });

  it('sends no signature header without a secret, and maps SignalEvent data into the payload', async () => {
    await hook('/nosecret', { Events: ['sale.*'], Secret: null });
    await call(server.url, 'POST', '/api/v1/Webhook/sale.deleted/77', {
      body: {
        Changes: [],
        Values: { sale_id: 77, contact_id: 4 },
        FieldValues: { amount: 10 },
        ContextIdentifier: 'Cust54321',
        windowName: 'foo',
      },
    });
    await server.deliver();
    const got = deliveriesTo('/nosecret')[0]!;
    assert.equal(got.headers['x-superoffice-signature'], undefined);
    const body = JSON.parse(got.body.toString());
    assert.deepEqual(Object.keys(body), [
      'EventId',
      'Timestamp',
      'Changes',
      'Event',
      'PrimaryKey',
      'Entity',
      'ContextIdentifier',
      'ChangedByAssociateId',
      'WebhookName',
      'Values',
      'FieldValues',
    ]);
    assert.equal(body.Entity, 'sale');
    assert.equal(body.ContextIdentifier, 'Cust54321');
    assert.equal(body.ChangedByAssociateId, 1, 'the calling associate by default');
    assert.deepEqual(body.Values, { sale_id: 77, contact_id: 4 });
    assert.deepEqual(body.FieldValues, { amount: 10, windowName: 'foo' });
  });

  it('reaches exact, entity.* and * subscribers once each, and nobody else', async () => {
    await hook('/exact-sub', { Events: ['project.created'] });
    await hook('/wild-sub', { Events: ['project.*', 'project.created'] });
    const all = await hook('/all-sub', { Events: ['*'] });
    await hook('/other-sub', { Events: ['person.created'] });
    await hook('/stopped-sub', { Events: ['project.created'], State: 'Stopped' });
    const res = await call(server.url, 'POST', '/api/v1/Webhook/project.created/5', { body: {} });
    assert.equal(res.headers.get('x-hookd-deliveries'), '3');
    await server.deliver();
    assert.equal(deliveriesTo('/exact-sub').length, 1);
    assert.equal(deliveriesTo('/wild-sub').length, 1);
    assert.equal(deliveriesTo('/other-sub').length, 0);
    assert.equal(deliveriesTo('/stopped-sub').length, 0);
    await call(server.url, 'DELETE', `/api/v1/Webhook/${all.WebhookId}`); // it would receive the next tests' events too
  });

  it('stores a batch in one transaction: all delivered, or none stored when one item is bad', async () => {
    await hook('/batch', { Events: ['ticket.created'] });
    const items = Array.from({ length: 100 }, (_, i) => ({ EventName: 'ticket.created', PrimaryKey: i + 1, Data: { Changes: ['title'] } }));
    const bad = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: [...items, { EventName: 'ticket.*', PrimaryKey: 1 }] });
    assert.equal(bad.status, 400);
    assert.match(bad.json.ErrorMessage, /\[100\]\.EventName/);
    const good = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: items });
    assert.equal(good.status, 204);
    assert.equal(good.headers.get('x-hookd-deliveries'), '100');
    await server.deliver();
    const keys = deliveriesTo('/batch').map((r) => JSON.parse(r.body.toString()).PrimaryKey as number);
    assert.deepEqual(
      [...new Set(keys)].sort((a, b) => a - b),
      items.map((i) => i.PrimaryKey),
    );
    assert.equal(keys.length, 100, 'none twice');
  });

  it('signals in-process through hookd.signal()', async () => {
    await hook('/inproc', { Events: ['document.edited'] });
    const queued = await server.hookd.signal({ eventName: 'document.edited', primaryKey: 9, data: { Changes: ['content'] } });
    assert.equal(queued, 1);
    await server.deliver();
    const body = JSON.parse(deliveriesTo('/inproc')[0]!.body.toString());
    assert.deepEqual([body.Event, body.PrimaryKey, body.ChangedByAssociateId, body.Changes], ['document.edited', 9, 0, ['content']]);
  });

  it('guards in-process data as it will be stored: what a toJSON gives is checked too (SECURITY.md)', async () => {
    const cases: Array<[unknown, string]> = [
      [{ FieldValues: { constructor: { prototype: 1 } } }, 'input_forbidden_key'],
      [{ toJSON: () => JSON.parse('{"FieldValues":{"__proto__":{"x":1}}}') as unknown }, 'input_forbidden_key'],
      [{ toJSON: () => ({ ContextIdentifier: 'a\u0000b' }) }, 'invalid_field'],
    ];
    for (const [data, code] of cases) {
      await assert.rejects(
        server.hookd.signal({ eventName: 'document.edited', primaryKey: 10, data: data as Record<string, unknown> }),
        (e: { code?: string }) => e.code === code,
      );
    }
  });
});

describe('TestWebhook and the save-time ping', () => {
  it('sends the test event with X-Hook-Test and reports the answer', async () => {
    const pings: Array<Record<string, string | string[] | undefined>> = [];
    const r = await Receiver.start();
    // Capture pings too, by answering them through a server of our own.
    const { createServer } = await import('node:http');
    const s = createServer((req, res) => {
      pings.push(req.headers);
      req.resume();
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.setHeader('X-Why', 'because');
      res.end(req.url === '/fail' ? 'broken' : 'fine');
    });
    await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
    const base = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    const ok = await call(server.url, 'POST', '/api/v1/Webhook/Test', { body: webhookBody(`${base}/ok`) });
    assert.deepEqual([ok.status, ok.json.Success], [200, true]);
    assert.match(ok.json.Message, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(ok.json.Message, /\r\n\r\nfine$/);
    assert.equal(pings[0]?.['x-hook-test'], 'true');
    assert.equal(pings[0]?.['x-superoffice-event'], 'test');
    const failed = await call(server.url, 'POST', '/api/v1/Webhook/Test', { body: webhookBody(`${base}/fail`) });
    assert.deepEqual([failed.status, failed.json.Success], [200, false]);
    assert.match(failed.json.Message, /^HTTP\/1\.1 500 Internal Server Error\r\n(.*\r\n)*x-why: because\r\n/i);
    assert.match(failed.json.Message, /broken$/);

    // The save-time ping: refused on create, and on a change of URL, but not on other changes.
    const refused = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${base}/fail`) });
    assert.equal(refused.status, 400);
    assert.match(refused.json.ErrorMessage, /HTTP\/1\.1 500/);
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${base}/ok`) });
    const pingsBefore = pings.length;
    const rename = await call(server.url, 'PUT', `/api/v1/Webhook/${created.json.WebhookId}`, {
      body: webhookBody(`${base}/ok`, { Name: 'renamed' }),
    });
    assert.equal(rename.status, 200);
    assert.equal(pings.length, pingsBefore, 'no ping when the URL did not change');
    const moved = await call(server.url, 'PUT', `/api/v1/Webhook/${created.json.WebhookId}`, { body: webhookBody(`${base}/fail`) });
    assert.equal(moved.status, 400);
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${created.json.WebhookId}`)).json.TargetUrl, `${base}/ok`);
    const stopped = await call(server.url, 'PUT', `/api/v1/Webhook/${created.json.WebhookId}`, {
      body: webhookBody(`${base}/fail`, { State: 'Stopped' }),
    });
    assert.equal(stopped.status, 200, 'a Stopped webhook is saved without a ping');
    s.close();
    await r.close();
  });
});
