/**
 * The delivery log as CSV (issue 24's Events tab export): `GET /Webhook/{id}/Deliveries?Format=csv` answers the
 * whole log as text/csv, one line per delivery, checked here line by line against the JSON log; quoting per
 * RFC 4180 and no formula a spreadsheet would run (custom event names may start with '='). Both stores.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { csvField } from '../../src/api/delivery-csv.js';

let receiver: Receiver;
let failNext = 0;

before(async () => {
  receiver = await Receiver.start((_req, res) => {
    res.statusCode = failNext > 0 ? 500 : 200;
    if (failNext > 0) failNext--;
    res.end('ok');
  });
});
after(async () => receiver.close());

describe('the delivery log as CSV', () => {
  const clock = new TestClock();
  let server: TestServer;
  let id = 0;
  before(async () => {
    server = await startHookd({}, { clock });
    const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/csv`, { Events: ['*'] }) });
    assert.equal(res.status, 200, res.text);
    id = res.json.WebhookId;
  });
  after(async () => server.close());

  it('answers one line per delivery, newest first, with its newest attempt; names are quoted and defused', async () => {
    failNext = 1;
    for (const [name, pk] of [
      ['contact.created', 7],
      ['Goyette, Kautzer and Kuhn', 0],
      ['=HYPERLINK("http://evil.example")', 2],
    ] as const) {
      const res = await call(server.url, 'POST', `/api/v1/Webhook/${encodeURIComponent(name)}/${pk}`, { body: {} });
      assert.equal(res.status, 204, res.text);
    }
    await server.deliver();
    clock.advance(1000);
    await server.deliver();

    const res = await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries?Format=csv`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="webhook-${id}-deliveries.csv"`);
    const log = (await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`)).json;
    const [d3, d2, d1] = log.Items;
    const lines = res.text.split('\r\n');
    assert.equal(lines.length, 5, 'a header, three deliveries and the final line end');
    assert.equal(
      lines[0],
      'DeliveryId,EventId,Event,PrimaryKey,Created,Status,Attempts,StatusCode,Outcome,Stage,LastAttempt,Finished,TraceId',
    );
    assert.equal(
      lines[1],
      `${d3.DeliveryId},${d3.EventId},"'=HYPERLINK(""http://evil.example"")",2,${d3.Created},delivered,1,200,success,,${d3.Attempts[0].Started},${d3.Finished},`,
    );
    assert.equal(
      lines[2],
      `${d2.DeliveryId},${d2.EventId},"Goyette, Kautzer and Kuhn",0,${d2.Created},delivered,1,200,success,,${d2.Attempts[0].Started},${d2.Finished},`,
    );
    // The first failed once (500), then its retry a second later succeeded.
    assert.equal(d1.Attempts.length, 2);
    assert.equal(
      lines[3],
      `${d1.DeliveryId},${d1.Attempts[1].EventId},contact.created,7,${d1.Created},delivered,2,200,success,,${d1.Attempts[1].Started},${d1.Finished},`,
    );
    assert.equal(lines[4], '');
  });

  it('quotes and defuses fields as RFC 4180 and OWASP say', () => {
    const table: Array<[string | number | null, string]> = [
      ['plain', 'plain'],
      [12, '12'],
      [null, ''],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
      ['=1+2', "'=1+2"],
      ['+1', "'+1"],
      ['-1', "'-1"],
      ['@SUM(A1)', "'@SUM(A1)"],
    ];
    for (const [value, field] of table) assert.equal(csvField(value), field, String(value));
  });

  it("answers 404 for a webhook that is not there or another tenant's, the portal's token included", async () => {
    const other = await call(server.url, 'GET', `/api/v1/Webhook/${id + 1000}/Deliveries?Format=csv`);
    assert.equal(other.status, 404);
    const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
      body: { ContextIdentifier: 'CsvB', UserName: 'csvb', Password: 'csvb-password-1' },
    });
    assert.equal(tenant.status, 200, tenant.text);
    const token = await call(server.url, 'POST', '/CsvB/api/v1/Portal/Token', { auth: basic('csvb', 'csvb-password-1'), body: {} });
    assert.equal(token.status, 200, token.text);
    const portal = `Portal ${token.json.Token}`;
    assert.equal((await call(server.url, 'GET', `/CsvB/api/v1/Webhook/${id}/Deliveries?Format=csv`, { auth: portal })).status, 404);
    const mine = await call(server.url, 'POST', '/api/v1/Portal/Token', { body: {} });
    const csv = await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries?Format=csv`, { auth: `Portal ${mine.json.Token}` });
    assert.equal(csv.status, 200, 'the portal of its own tenant exports');
    assert.match(csv.text, /^DeliveryId,EventId,/);
  });
});
