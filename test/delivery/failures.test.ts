/** The failure story of webhook-notification.md and decisions.md, against a receiver that fails on command. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, waitUntil, webhookBody } from '../helpers/harness.js';
import { type Received, Receiver } from '../helpers/receiver.js';

let receiver: Receiver;
/** Paths that answer with this status (and a body); anything else answers 200. */
const failing = new Map<string, number>();
/** How many more requests a path fails before it answers 200 (when set). */
const failTimes = new Map<string, number>();

before(async () => {
  receiver = await Receiver.start((req, res) => {
    const left = failTimes.get(req.path);
    if (left !== undefined) failTimes.set(req.path, left - 1);
    const code = left !== undefined && left <= 0 ? 200 : (failing.get(req.path) ?? 200);
    res.statusCode = code;
    res.setHeader('X-Failure', code === 200 ? 'no' : 'yes');
    res.end(code === 200 ? 'ok' : `boom ${code}`);
  });
});
after(async () => receiver.close());

const at = (path: string): Received[] => receiver.received.filter((r) => r.path === path);
const body = (r: Received) => JSON.parse(r.body.toString('utf8'));

async function hook(server: TestServer, path: string, overrides: Record<string, unknown> = {}) {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, overrides) });
  assert.equal(res.status, 200, res.text);
  return res.json as Record<string, any>;
}
const get = async (server: TestServer, id: number) => (await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json;

describe("NetServer's retry cycle, in real time", () => {
  let server: TestServer;
  before(async () => {
    server = await startHookd();
  });
  after(async () => server.close());

  it('retries after 1 s and 4 s, then sends to the back of the queue with a new EventId', async () => {
    const w = await hook(server, '/cycle', { Events: ['contact.created'] });
    failing.set('/cycle', 500);
    failTimes.set('/cycle', 3);
    await call(server.url, 'POST', '/api/v1/Webhook/contact.created/1', { body: {} });
    await waitUntil(() => at('/cycle').length >= 4, 9000, 'four attempts');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(at('/cycle').length, 4, 'no attempt after the success');
    const [a, b, c, d] = at('/cycle') as [Received, Received, Received, Received];
    const gap1 = b.at - a.at;
    const gap2 = c.at - b.at;
    assert.ok(gap1 >= 950 && gap1 < 1800, `1 s between attempts 1 and 2 (was ${gap1} ms)`);
    assert.ok(gap2 >= 3950 && gap2 < 4800, `4 s between attempts 2 and 3 (was ${gap2} ms)`);
    assert.ok(d.at - c.at < 1500, 'the new cycle starts at once, from the back of the queue');
    assert.deepEqual(
      at('/cycle').map((r) => r.headers['x-superoffice-retry']),
      ['0', '1', '2', '3'],
    );
    for (const r of at('/cycle')) assert.equal(r.headers['x-superoffice-eventid'], body(r).EventId);
    assert.equal(body(a).EventId, body(b).EventId);
    assert.equal(body(b).EventId, body(c).EventId);
    assert.notEqual(body(d).EventId, body(a).EventId, 'a new cycle has a new EventId');
    assert.equal(body(d).Timestamp, body(a).Timestamp, 'the event happened once');

    await waitUntil(async () => (await get(server, w.WebhookId)).TotalCalls === 4, 3000, 'stats');
    const stats = await get(server, w.WebhookId);
    assert.deepEqual([stats.TotalCalls, stats.TotalErrors, stats.ConsecutiveErrors, stats.State], [4, 3, 0, 'Active']);
    assert.match(stats.LastError, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.match(stats.LastError, /\r\nx-failure: yes\r\n/);
    assert.match(stats.LastError, /\r\n\r\nboom 500$/);

    const log = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`);
    assert.equal(log.json.Total, 1);
    const delivery = log.json.Items[0];
    assert.equal(delivery.Status, 'delivered');
    assert.deepEqual(
      delivery.Attempts.map((x: any) => [x.Retry, x.StatusCode, x.Outcome]),
      [
        [0, 500, 'failure'],
        [1, 500, 'failure'],
        [2, 500, 'failure'],
        [3, 200, 'success'],
      ],
    );
  });
});

describe('TooManyErrors, state events and reactivation (a test clock drives the 1 s and 4 s cycle timers)', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startHookd({}, { clock });
  });
  after(async () => server.close());

  /** Moves the clock, then lets the worker do everything that falls due; returns how many more requests `path` got. */
  async function tick(path: string, ms: number): Promise<number> {
    const before = at(path).length;
    clock.advance(ms);
    await server.deliver();
    return at(path).length - before;
  }

  it('switches off after 9 consecutive failures, fires webhook{id}.errors, records the e-mail, and keeps the event', async () => {
    const w = await hook(server, '/nine', { Events: ['sale.sold'], ErrorsEmail: 'ops@example.com' });
    const watch = await hook(server, '/watch', {
      Events: [`webhook${w.WebhookId}.errors`, `webhook${w.WebhookId}.started`, `webhook${w.WebhookId}.stopped`],
    });
    failing.set('/nine', 503);
    await call(server.url, 'POST', '/api/v1/Webhook/sale.sold/3', { body: {} });
    // Cycle 1: at 0, 1 s, 4 s more; the next cycle starts at once from the back of the queue; three cycles make 9.
    assert.equal(await tick('/nine', 0), 1, 'the first attempt at once');
    assert.equal(await tick('/nine', 999), 0, 'nothing before 1 s');
    assert.equal(await tick('/nine', 1), 1, 'the second attempt at 1 s');
    assert.equal(await tick('/nine', 3999), 0, 'nothing before 4 s more');
    assert.equal(await tick('/nine', 1), 2, 'the third attempt at 4 s, and the new cycle at once');
    assert.equal(await tick('/nine', 1000), 1);
    assert.equal(await tick('/nine', 4000), 2);
    assert.equal(await tick('/nine', 1000), 1);
    assert.equal(await tick('/nine', 4000), 1, 'the ninth attempt, then the webhook is off');
    assert.equal(await tick('/nine', 3_600_000), 0, 'nothing more, an hour later');
    const attempts = at('/nine');
    assert.equal(attempts.length, 9, 'exactly 9 attempts, then nothing');
    assert.deepEqual(
      attempts.map((r) => r.headers['x-superoffice-retry']),
      ['0', '1', '2', '3', '4', '5', '6', '7', '8'],
    );
    const ids = attempts.map((r) => body(r).EventId);
    assert.equal(new Set(ids).size, 3, 'three cycles, three EventIds');
    assert.equal(ids[0], ids[2]);
    assert.notEqual(ids[2], ids[3]);
    const stats = await get(server, w.WebhookId);
    assert.deepEqual([stats.State, stats.TotalCalls, stats.TotalErrors, stats.ConsecutiveErrors], ['TooManyErrors', 9, 9, 9]);
    assert.match((await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/LastError`)).json, /^HTTP\/1\.1 503 Service Unavailable/);

    // The errors event went out in the same pass that switched it off: no poll interval in between.
    assert.equal(at('/watch').length, 1, 'the errors event');
    const errorsEvent = at('/watch')[0]!;
    assert.equal(errorsEvent.headers['x-superoffice-event'], `webhook${w.WebhookId}.errors`);
    const e = body(errorsEvent);
    assert.equal(e.Event, 'webhook.errors');
    assert.equal('Entity' in e, false);
    assert.deepEqual([e.PrimaryKey, e.ChangedByAssociateId, e.FieldValues.state, e.FieldValues.events], [w.WebhookId, 0, 3, 1]);

    const mails = await server.hookd.store.notifications.listNotifications(server.hookd.defaultTenant.id);
    const mail = mails.find((m) => m.webhookId === w.WebhookId);
    assert.ok(mail, 'an ErrorsEmail notification is recorded');
    assert.equal(mail.recipient, 'ops@example.com');
    assert.match(mail.body, new RegExp(`Last EventId: ${ids[8]}`));

    // Events signalled while it is off are not queued for it.
    const signalled = await call(server.url, 'POST', '/api/v1/Webhook/sale.sold/4', { body: {} });
    assert.equal(signalled.headers.get('x-hookd-deliveries'), '0');

    // Back to Active: consecutive errors reset, webhook{id}.started fired, the kept event delivered.
    failing.delete('/nine');
    const reactivated = await call(server.url, 'PUT', `/api/v1/Webhook/${w.WebhookId}`, {
      body: webhookBody(`${receiver.url}/nine`, { Events: ['sale.sold'], ErrorsEmail: 'ops@example.com', State: 'Active' }),
    });
    assert.equal(reactivated.status, 200);
    assert.equal(reactivated.json.ConsecutiveErrors, 0);
    assert.equal(await tick('/nine', 0), 1, 'the kept event, at once');
    const tenth = at('/nine')[9]!;
    assert.equal(body(tenth).PrimaryKey, 3);
    assert.equal(tenth.headers['x-superoffice-retry'], '9');
    assert.equal(at('/watch').length, 2, 'the started event');
    assert.equal(at('/watch')[1]!.headers['x-superoffice-event'], `webhook${w.WebhookId}.started`);
    assert.equal(body(at('/watch')[1]!).FieldValues.state, 1);
    const after = await get(server, w.WebhookId);
    assert.deepEqual([after.TotalCalls, after.TotalErrors, after.ConsecutiveErrors, after.State], [10, 9, 0, 'Active']);
    await call(server.url, 'DELETE', `/api/v1/Webhook/${watch.WebhookId}`);
  });

  it('switches off at once on 410 Gone', async () => {
    const w = await hook(server, '/gone', { Events: ['person.created'] });
    failing.set('/gone', 410);
    await call(server.url, 'POST', '/api/v1/Webhook/person.created/1', { body: {} });
    assert.equal(await tick('/gone', 0), 1);
    assert.equal(await tick('/gone', 3_600_000), 0, 'no retry, an hour later');
    const stats = await get(server, w.WebhookId);
    assert.deepEqual([stats.State, stats.ConsecutiveErrors], ['TooManyErrors', 1]);
  });

  it('holds queued events while Stopped and delivers them when Active again', async () => {
    const w = await hook(server, '/hold', { Events: ['project.changed'], Name: 'hold' });
    failing.set('/hold', 500);
    await call(server.url, 'POST', '/api/v1/Webhook/project.changed/8', { body: {} });
    assert.equal(await tick('/hold', 0), 1, 'a first attempt');
    const stop = await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { State: 'Stopped' },
    });
    assert.equal(stop.json.State, 'Stopped');
    assert.equal(await tick('/hold', 3_600_000), 0, 'nothing is sent while Stopped, not even the cycle retry');
    const log = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`);
    assert.equal(log.json.Items[0].Status, 'queued');
    failing.delete('/hold');
    await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { State: 1 },
    });
    assert.equal(await tick('/hold', 0), 1, 'delivered when Active again');
    assert.equal(body(at('/hold').at(-1)!).PrimaryKey, 8);
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`)).json.Items[0].Status, 'delivered');
  });

  it('sends a delivery again on request, with a new EventId', async () => {
    const w = await hook(server, '/again', { Events: ['quote.sent'] });
    await call(server.url, 'POST', '/api/v1/Webhook/quote.sent/5', { body: {} });
    assert.equal(await tick('/again', 0), 1);
    const log = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`);
    assert.equal(log.json.Items[0].Status, 'delivered');
    const id = log.json.Items[0].DeliveryId;
    const retry = await call(server.url, 'POST', `/api/v1/Webhook/${w.WebhookId}/Deliveries/${id}/Retry`);
    assert.equal(retry.status, 204);
    assert.equal(await tick('/again', 0), 1, 'the resend');
    assert.equal(body(at('/again')[1]!).PrimaryKey, 5);
    assert.notEqual(body(at('/again')[1]!).EventId, body(at('/again')[0]!).EventId);
    assert.equal((await call(server.url, 'POST', `/api/v1/Webhook/${w.WebhookId}/Deliveries/999999/Retry`)).status, 404);
  });

  it('sends a failed delivery at once on Retry, not at its cycle retry time (the owner keeps it for 1 s)', async () => {
    const w = await hook(server, '/now', { Events: ['quote.approved'] });
    failing.set('/now', 503);
    await call(server.url, 'POST', '/api/v1/Webhook/quote.approved/6', { body: {} });
    assert.equal(await tick('/now', 0), 1, 'the first attempt fails');
    failing.delete('/now');
    const id = (await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`)).json.Items[0].DeliveryId;
    assert.equal((await call(server.url, 'POST', `/api/v1/Webhook/${w.WebhookId}/Deliveries/${id}/Retry`)).status, 204);
    assert.equal(await tick('/now', 0), 1, 'sent again with the clock where it was: not 1 s later');
    assert.equal(at('/now')[1]!.headers['x-superoffice-retry'], '1');
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries`)).json.Items[0].Status, 'delivered');
  });
});

describe('crmscript webhooks', () => {
  let server: TestServer;
  before(async () => {
    server = await startHookd({ retryDelaysMs: ['10', '10'] });
  });
  after(async () => server.close());

  it('run the named handler with payload, values and properties; a throwing handler is a failed attempt', async () => {
    const calls: any[] = [];
    server.hookd.registerHandler('ScriptHook1', (input) => {
      calls.push(input);
      if (calls.length === 1) throw new Error('script failed'); // the first call fails, the retry succeeds
    });
    const res = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: { Name: 'script', Events: ['contact.changed'], Type: 'crmscript', TargetUrl: 'ScriptHook1', Properties: { mode: 'sync' } },
    });
    assert.equal(res.status, 200, res.text);
    await call(server.url, 'POST', '/api/v1/Webhook/contact.changed/42', { body: { Changes: ['name'], name: 'Acme' } });
    await waitUntil(() => calls.length >= 2, 5000, 'the handler and its retry');
    assert.deepEqual([calls[0].payload.Event, calls[0].payload.PrimaryKey, calls[0].payload.Changes], ['contact.changed', 42, ['name']]);
    assert.deepEqual(calls[0].values, { name: 'Acme' });
    assert.deepEqual(calls[0].properties, { mode: 'sync' });
    await waitUntil(async () => (await get(server, res.json.WebhookId)).TotalCalls === 2, 3000, 'stats');
    const stats = await get(server, res.json.WebhookId);
    assert.deepEqual([stats.TotalCalls, stats.TotalErrors, stats.ConsecutiveErrors], [2, 1, 0]);
    assert.equal(calls.length, 2);
    assert.match(stats.LastError, /script failed/);
  });

  it("a handler nobody registered is hookd's fault: logged as a fault attempt, never counted, the webhook stays Active", async () => {
    // A new crmscript webhook must name a handler (issue 23): this one goes away after the save, as a script can.
    server.hookd.registerHandler('NotRegistered', () => undefined);
    const res = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: { Name: 'unregistered', Events: ['person.changed'], Type: 'crmscript', TargetUrl: 'NotRegistered' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(server.hookd.unregisterHandler('NotRegistered'), true);
    const id = res.json.WebhookId;
    for (let k = 0; k < 12; k++) await call(server.url, 'POST', `/api/v1/Webhook/person.changed/${k}`, { body: {} });
    const log = async () => (await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`)).json.Items as any[];
    await waitUntil(async () => (await log()).every((d) => d.Attempts.length > 0), 10_000, 'a fault attempt for each of the 12 events');
    const items = await log();
    assert.equal(items.length, 12);
    for (const d of items) {
      assert.equal(d.Status, 'queued', 'still queued: it is tried again later');
      for (const a of d.Attempts) {
        assert.deepEqual([a.Outcome, a.Stage, a.StatusCode, a.Retry], ['fault', 'prepare', null, 0]);
        assert.match(a.Error, /No handler is registered under the name 'NotRegistered'/);
      }
    }
    const stats = await get(server, id);
    assert.deepEqual(
      [stats.State, stats.TotalCalls, stats.TotalErrors, stats.ConsecutiveErrors, stats.LastError],
      ['Active', 0, 0, 0, ''],
      '12 faults, more than the 9 that would switch a failing receiver off: none of them counts',
    );
  });
});
