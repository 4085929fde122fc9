/**
 * GET /metrics (Prometheus text, parsed by an independent parser) agrees with the delivery log after a mixed
 * run; who may read it; and the Stats API's buckets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const clock = new TestClock();
let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start((req, res) => {
    const event = JSON.parse(req.body.toString('utf8') || '{}').Event;
    res.statusCode = event === 'test' ? 200 : req.path === '/fails' ? 500 : req.path === '/gone' ? 410 : 200;
    res.end();
  });
  server = await startHookd({}, { clock });
});
after(async () => {
  await server.close();
  await receiver.close();
});

type Family = { name: string; metrics: Array<{ value?: string; labels?: Record<string, string> }> };

async function scrape(): Promise<Map<string, Family>> {
  const res = await call(server.url, 'GET', '/metrics', { auth: null });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return new Map((parsePrometheusTextFormat(res.text) as Family[]).map((f) => [f.name, f]));
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  assert.ok(family, `${name} is exported`);
  return family.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value), 0);
}

async function hook(path: string, events: string[]): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, { Events: events }) });
  assert.equal(res.status, 200, res.text);
  return res.json.WebhookId;
}

describe('GET /metrics and the Stats API', () => {
  let ok: number;
  let fails: number;
  let gone: number;

  it('counts what the delivery log shows after a mixed run', async () => {
    ok = await hook('/ok', ['contact.created', 'sale.sold']);
    fails = await hook('/fails', ['contact.created']);
    gone = await hook('/gone', ['sale.sold']);
    for (let i = 1; i <= 3; i++) await call(server.url, 'POST', `/api/v1/Webhook/contact.created/${i}`, { body: {} });
    await call(server.url, 'POST', '/api/v1/Webhook/Events', {
      body: [
        { EventName: 'sale.sold', PrimaryKey: 1 },
        { EventName: 'sale.sold', PrimaryKey: 2 },
      ],
    });
    for (const step of [0, 1000, 4000]) {
      clock.advance(step);
      await server.deliver();
    }

    const outcomes: Record<string, number> = {};
    let queued = 0;
    for (const id of [ok, fails, gone]) {
      const log = await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries?$top=100`);
      for (const d of log.json.Items) {
        if (d.Status === 'queued') queued++;
        for (const a of d.Attempts) outcomes[a.Outcome] = (outcomes[a.Outcome] ?? 0) + 1;
      }
    }
    const m = await scrape();
    assert.equal(value(m, 'hookd_events_ingested_total'), 5);
    assert.deepEqual(
      {
        success: value(m, 'hookd_attempts_total', { outcome: 'success' }),
        failure: value(m, 'hookd_attempts_total', { outcome: 'failure' }),
        gone: value(m, 'hookd_attempts_total', { outcome: 'gone' }),
      },
      { success: outcomes.success ?? 0, failure: outcomes.failure ?? 0, gone: outcomes.gone ?? 0 },
    );
    assert.equal(value(m, 'hookd_attempts_total', { outcome: 'success', status_class: '2xx' }), 5, '3 contact + 2 sale events to /ok');
    assert.equal(value(m, 'hookd_attempts_total', { status_class: '5xx' }), 9, '3 events × 3 attempts of one cycle to /fails');
    assert.equal(value(m, 'hookd_deliveries_queued'), queued);
    assert.deepEqual(
      [value(m, 'hookd_webhooks', { state: 'Active' }), value(m, 'hookd_webhooks', { state: 'TooManyErrors' })],
      [1, 2],
      '410 Gone switched one off, nine failures the other',
    );
    const latency = m.get('hookd_delivery_latency_seconds') as unknown as { metrics: Array<{ count: string }> };
    assert.equal(Number(latency.metrics[0]?.count), 5, 'one signal-to-2xx latency per delivered event');
    assert.equal(Number((m.get('hookd_attempt_duration_seconds') as any).metrics[0].count), value(m, 'hookd_attempts_total'));
    assert.ok(m.has('hookd_process_resident_memory_bytes'), 'process metrics');
    assert.equal(value(m, 'hookd_store_errors_total'), 0);
  });

  it('Stats: attempts per bucket, failures by status code, p50/p95 duration', async () => {
    const res = await call(server.url, 'GET', `/api/v1/Webhook/${fails}/Stats?Since=1h&Bucket=30m`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.Buckets.length, 2);
    const total = res.json.Buckets.reduce((n: number, b: any) => n + b.Attempts, 0);
    assert.equal(total, 9);
    const busy = res.json.Buckets.find((b: any) => b.Attempts > 0);
    assert.deepEqual([busy.Successes, busy.Failures, busy.FailuresByStatus], [0, busy.Attempts, { '500': busy.Attempts }]);
    assert.equal(typeof busy.P50Ms, 'number');
    assert.ok(busy.P95Ms >= busy.P50Ms);
    const bad = await call(server.url, 'GET', `/api/v1/Webhook/${fails}/Stats?Since=30d&Bucket=1s`);
    assert.equal(bad.status, 400);
    assert.match(bad.json.ErrorMessage, /Bucket/);
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook/999999/Stats')).status, 404);
  });
});

describe('who may read /metrics', () => {
  it('a token, when one is set; otherwise only the allowed networks', async () => {
    const withToken = await startHookd({ metricsToken: 'scrape-me' });
    try {
      assert.equal((await call(withToken.url, 'GET', '/metrics', { auth: null })).status, 401);
      assert.equal((await call(withToken.url, 'GET', '/metrics', { auth: 'Bearer nope' })).status, 401);
      assert.equal((await call(withToken.url, 'GET', '/metrics', { auth: 'Bearer scrape-me' })).status, 200);
    } finally {
      await withToken.close();
    }
    const elsewhere = await startHookd({ metricsAllow: ['10.0.0.0/8'] });
    try {
      const res = await call(elsewhere.url, 'GET', '/metrics', { auth: null });
      assert.equal(res.status, 403);
      assert.match(res.json.ErrorMessage, /HOOKD_METRICS_ALLOW/);
    } finally {
      await elsewhere.close();
    }
  });
});
