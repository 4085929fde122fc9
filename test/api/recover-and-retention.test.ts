/**
 * Operations: recover a receiver's outage (exactly once more, dry-run count = what is sent, healthy webhooks
 * keep flowing), the jobs that run it, and retention that prunes exactly what is older than its setting and
 * never what is undelivered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { type Received, Receiver } from '../helpers/receiver.js';

const DAY = 86_400_000;
const clock = new TestClock();
let server: TestServer;
let receiver: Receiver;
let down = false;

before(async () => {
  receiver = await Receiver.start((req, res) => {
    const event = JSON.parse(req.body.toString('utf8') || '{}').Event;
    res.statusCode = event !== 'test' && down && req.path === '/down' ? 503 : 200;
    res.end();
  });
  server = await startHookd({}, { clock });
});
after(async () => {
  await server.close();
  await receiver.close();
});

const at = (path: string): Received[] => receiver.received.filter((r) => r.path === path);
const body = (r: Received) => JSON.parse(r.body.toString('utf8'));

async function hook(path: string, events: string[], auth?: string): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, { Events: events }), auth });
  assert.equal(res.status, 200, res.text);
  return res.json.WebhookId;
}

async function signal(event: string, key: number): Promise<void> {
  assert.equal((await call(server.url, 'POST', `/api/v1/Webhook/${event}/${key}`, { body: {} })).status, 204);
}

async function run(ms = 0): Promise<void> {
  clock.advance(ms);
  await server.deliver();
}

describe('recover', () => {
  let failing: number;
  let healthy: number;

  it("sends every event of a receiver's outage exactly once more, as new deliveries, while a healthy webhook keeps flowing", async () => {
    failing = await hook('/down', ['contact.created']);
    healthy = await hook('/healthy', ['sale.sold']);
    down = true;
    for (let k = 1; k <= 5; k++) await signal('contact.created', k);
    await run();
    assert.equal(at('/down').length, 5, 'five failed attempts during the outage');
    down = false;
    await run(1000);
    assert.equal(at('/down').length, 10, 'the retry cycle delivered them once the receiver was back');
    await signal('contact.created', 6); // after the outage: delivered at once, never failed
    await signal('sale.sold', 1);
    await run();

    const dry = await call(server.url, 'POST', `/api/v1/Webhook/${failing}/Recover?DryRun=true`, { body: { Since: '1h' } });
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual(dry.json, { DryRun: true, Count: 5 });

    const started = await call(server.url, 'POST', `/api/v1/Webhook/${failing}/Recover`, { body: { Since: '1h', Status: 'Failed' } });
    assert.equal(started.status, 202, started.text);
    assert.deepEqual([started.json.State, started.json.Total, started.json.Done, started.json.WebhookIds], ['Queued', 5, 0, [failing]]);
    assert.equal(started.headers.get('location'), `${server.url}/api/v1/Jobs/${started.json.JobId}`);

    const before = at('/down').length;
    const firstIds = new Set(at('/down').map((r) => body(r).EventId));
    assert.equal(await server.hookd.jobs.runPending(), 1);
    await signal('sale.sold', 2); // delivery goes on beside a recover
    await run();
    const again = at('/down').slice(before);
    assert.deepEqual(again.map((r) => body(r).PrimaryKey).sort(), [1, 2, 3, 4, 5], 'each failed event once more, nothing else');
    assert.ok(
      again.every((r) => !firstIds.has(body(r).EventId)),
      'new EventIds',
    );
    assert.equal(again.length, dry.json.Count, 'the dry run counted what was sent');
    assert.deepEqual(
      at('/healthy').map((r) => body(r).PrimaryKey),
      [1, 2],
    );
    await run(3_600_000);
    assert.equal(at('/down').length, before + 5, 'and nothing more later');

    const job = await call(server.url, 'GET', `/api/v1/Jobs/${started.json.JobId}`);
    assert.deepEqual([job.json.State, job.json.Total, job.json.Done, job.json.Status], ['Done', 5, 5, 'Failed']);
    assert.match(job.json.Finished, /Z$/);
  });

  it('the tenant-wide form, Status All and Events; bad requests are 400s naming the property', async () => {
    const all = await call(server.url, 'POST', '/api/v1/Webhook/Recover?DryRun=true', {
      body: { Since: '2h', Status: 'All', Events: ['sale.sold'] },
    });
    assert.deepEqual(all.json, { DryRun: true, Count: 2 });
    const everything = await call(server.url, 'POST', '/api/v1/Webhook/Recover?DryRun=true', { body: { Since: '2h', Status: 'all' } });
    // Issue 20: the five copies the recover above made are not counted again — their originals stand for them.
    assert.equal(everything.json.Count, 6 + 2, 'every delivered delivery but copies: six events, two sales');
    const missing = await call(server.url, 'POST', `/api/v1/Webhook/${failing}/Recover`, { body: { Status: 'Nope' } });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /Since/);
    assert.match(missing.text, /Status/);
    assert.equal((await call(server.url, 'POST', '/api/v1/Webhook/999999/Recover', { body: { Since: '1h' } })).status, 404);
    assert.equal((await call(server.url, 'GET', '/api/v1/Jobs/999999')).status, 404);
    void healthy;
  });
});

describe('retention', () => {
  it('prunes exactly what is older than its setting, per tenant, and never an undelivered event', async () => {
    const kept = await hook('/kept', ['person.created']);
    const off = await hook('/off', ['person.created']);
    await signal('person.created', 1); // t0: delivered to /kept; queued for /off (switched off before it is sent)
    assert.equal((await call(server.url, 'PATCH', `/api/v1/Webhook/${off}`, { body: { State: 'Stopped' } })).status, 200);
    await run();
    clock.advance(20 * DAY);
    await signal('person.created', 2); // t0 + 20 days
    await run();

    const put = await call(server.url, 'PUT', '/api/v1/Retention', { body: { DeliveryRetentionDays: 10, EventRetentionDays: 10 } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, {
      DeliveryRetentionDays: 10,
      EventRetentionDays: 10,
      Effective: { DeliveryRetentionDays: 10, EventRetentionDays: 10 },
    });

    clock.advance(5 * DAY); // t0 + 25 days: the first delivery is 25 days old, the second 5
    await server.hookd.retention.pruneNow();
    const log = await call(server.url, 'GET', `/api/v1/Webhook/${kept}/Deliveries`);
    assert.deepEqual(
      log.json.Items.map((d: any) => d.PrimaryKey),
      [2],
      'the 25-day-old delivery is gone, the 5-day-old one stays',
    );
    const held = await call(server.url, 'GET', `/api/v1/Webhook/${off}/Deliveries`);
    assert.deepEqual(
      held.json.Items.map((d: any) => [d.PrimaryKey, d.Status]),
      [[1, 'queued']],
      'an undelivered event is never pruned, however old',
    );
    const metrics = await call(server.url, 'GET', '/metrics', { auth: null });
    assert.match(metrics.text, /hookd_pruned_total\{kind="deliveries"\} [1-9]/);

    const reset = await call(server.url, 'PUT', '/api/v1/Retention', { body: { DeliveryRetentionDays: null, EventRetentionDays: null } });
    assert.deepEqual(reset.json.Effective, { DeliveryRetentionDays: 30, EventRetentionDays: 30 });
    const bad = await call(server.url, 'PUT', '/api/v1/Retention', { body: { DeliveryRetentionDays: -1 } });
    assert.equal(bad.status, 400);
    void basic;
  });
});
