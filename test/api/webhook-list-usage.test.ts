/**
 * GetAllWebhooks with `?Usage=true` (issue 24): 12.1's list columns — last delivery, last result, failures in the
 * last 24 hours — and the badge they make; a Retry-After pause and a strict queue waiting behind a failing event.
 * Without the option the answer is NetServer's carrier, unchanged. The test clock moves time; both stores.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let receiver: Receiver;
/** Per path: the answers still to give, first first; then 200. */
const script = new Map<string, Array<{ status: number; retryAfter?: string }>>();

before(async () => {
  receiver = await Receiver.start((req, res) => {
    const next = script.get(req.path)?.shift();
    res.statusCode = next?.status ?? 200;
    if (next?.retryAfter !== undefined) res.setHeader('Retry-After', next.retryAfter);
    res.end(next ? 'not now' : 'ok');
  });
});
after(async () => receiver.close());

describe('GetAllWebhooks ?Usage=true', () => {
  const clock = new TestClock();
  let server: TestServer;
  const ids: Record<string, number> = {};
  before(async () => {
    server = await startHookd({}, { clock });
    for (const [name, overrides] of [
      ['fine', {}],
      ['failing', {}],
      ['paused', {}],
      ['strict', { Ordering: 'Strict' }],
      ['quiet', { Events: ['ticket.created'] }],
      ['stopped', { State: 'Stopped' }],
    ] as const) {
      const res = await call(server.url, 'POST', '/api/v1/Webhook', {
        body: webhookBody(`${receiver.url}/${name}`, { Name: name, Events: ['sale.sold'], ...overrides }),
      });
      assert.equal(res.status, 200, res.text);
      ids[name] = res.json.WebhookId;
    }
  });
  after(async () => server.close());

  const usage = async (query = '?Usage=true') => {
    const res = await call(server.url, 'GET', `/api/v1/Webhook${query}`);
    assert.equal(res.status, 200, res.text);
    return new Map<string, any>(res.json.map((w: any) => [w.Name, w]));
  };

  it('shows the last delivery, its result and the failures of the last 24 hours beside each webhook', async () => {
    script.set('/failing', [{ status: 500 }, { status: 500 }]);
    script.set('/paused', [{ status: 429, retryAfter: '120' }]);
    script.set('/strict', [{ status: 503 }, { status: 503 }]);
    const started = clock.now();
    await call(server.url, 'POST', '/api/v1/Webhook/sale.sold/1', { body: {} });
    await call(server.url, 'POST', '/api/v1/Webhook/sale.sold/2', { body: {} });
    await server.deliver();
    clock.advance(1000); // the first retry of the failing ones
    await server.deliver();

    const list = await usage();
    const fine = list.get('fine').Usage;
    assert.equal(fine.Status, 'Active');
    assert.equal(fine.Failures24h, 0);
    assert.equal(fine.LastOutcome, 'success');
    assert.equal(fine.LastStatusCode, 200);
    assert.ok(Date.parse(fine.LastDelivery) >= started - 1000, fine.LastDelivery);
    assert.equal(fine.DisableAfter, 9);
    assert.equal(fine.PausedUntil, null);
    assert.equal(fine.WaitingFor, null);

    const failing = list.get('failing').Usage;
    assert.equal(failing.Status, 'ActiveWithFailures', 'amber after a failure');
    assert.equal(failing.Failures24h, 2);
    assert.equal(failing.LastOutcome, 'success', 'both retries succeeded: amber for 24 h all the same');
    assert.equal(failing.ConsecutiveErrors, 0);

    const paused = list.get('paused').Usage;
    // The other event's attempt was in flight together with the throttled one; the pause holds all the same.
    assert.equal(paused.Failures24h, 0, 'a pause the receiver asked for is no failure');
    assert.ok(paused.PausedUntil, `paused by Retry-After: ${JSON.stringify(paused)}`);
    assert.equal(Date.parse(paused.PausedUntil), started + 120_000);

    const strict = list.get('strict').Usage;
    assert.equal(strict.LastStatusCode, 503);
    assert.ok(strict.WaitingFor, 'the strict queue waits behind its failing event');
    const log = await call(server.url, 'GET', `/api/v1/Webhook/${ids.strict}/Deliveries`);
    assert.equal(strict.WaitingFor.DeliveryId, log.json.BlockedBy.DeliveryId);

    assert.equal(list.get('quiet').Usage.LastDelivery, null, 'never attempted');
    assert.equal(list.get('quiet').Usage.LastOutcome, null);
    assert.equal(list.get('stopped').Usage.Status, 'Stopped');
  });

  it('forgets failures older than 24 hours, and clears the pause when it is over', async () => {
    clock.advance(24 * 3_600_000 + 1000);
    await server.deliver();
    const list = await usage();
    assert.equal(list.get('paused').Usage.PausedUntil, null);
    assert.equal(list.get('failing').Usage.Status, 'Active', 'the failures are older than 24 h and the last attempt succeeded');
    assert.equal(list.get('failing').Usage.Failures24h, 0);
  });

  it('takes $select as one webhook does: the others nulled, Usage kept', async () => {
    const list = await usage('?Usage=true&$select=Name,State');
    const fine = list.get('fine');
    assert.equal(fine.State, 'Active');
    assert.equal(fine.Secret, null);
    assert.equal(fine.FieldProperties, null);
    assert.equal(fine.Usage.Status, 'Active');
  });

  it('answers one webhook with its Usage too (GetWebhook ?Usage=true), never a 304 for it', async () => {
    const one = await call(server.url, 'GET', `/api/v1/Webhook/${ids.strict}?Usage=true`, {
      headers: { 'If-Modified-Since': new Date(clock.now() + 3_600_000).toUTCString() },
    });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json.Usage, (await usage()).get('strict').Usage);
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${ids.strict}`)).json.Usage, undefined);
  });

  it('answers XML too', async () => {
    const res = await call(server.url, 'GET', '/api/v1/Webhook?Usage=true&$select=Name', { headers: { Accept: 'application/xml' } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /<Usage>.*<Status>Active<\/Status>.*<\/Usage>/s);
  });

  it('leaves the NetServer answer as it was without the option', async () => {
    const list = await usage('');
    assert.equal(list.get('fine').Usage, undefined);
    assert.equal((await usage('?Usage=false')).get('fine').Usage, undefined);
  });
});
