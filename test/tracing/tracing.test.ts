/**
 * OpenTelemetry traces (issue 26) against a real OTLP/HTTP endpoint on loopback (a node:http server that takes the
 * exporter's JSON): the SignalEvent span continues the request's W3C traceparent and names the tenant; each attempt
 * is a span with webhook, tenant, event, retry, outcome, stage and status, a child of its delivery's span, which is a
 * child of the SignalEvent span — one trace from the caller to the receiver. Off unless configured, and then nothing is
 * built (no API hook, the worker's observer is the metrics object).
 */
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/settings.js';
import { tracesUrl } from '../../src/tracing/traces-url.js';
import { Tracing } from '../../src/tracing/tracing.js';
import { call, listenOn, webhookBody } from '../helpers/harness.js';
import { Receiver, status } from '../helpers/receiver.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
  status?: { code?: number };
}

let collector: Server;
let collectorUrl: string;
const spans: OtlpSpan[] = [];
const posts: string[] = [];
let receiver: Receiver;
let dataDir: string;

before(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      posts.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const doc = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  collectorUrl = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
  receiver = await Receiver.start(async (req, res) => {
    if (req.path === '/fails') return status(500)(req, res);
    res.end('ok');
  });
  dataDir = mkdtempSync(join(tmpdir(), 'hookd-tracing-'));
});
after(async () => {
  await receiver.close();
  await new Promise((r) => collector.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

function attr(span: OtlpSpan, key: string): string | number | undefined {
  const v = span.attributes.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined);
}

describe('tracing', () => {
  it('is off unless OTEL_TRACES_EXPORTER or an OTLP endpoint says otherwise', () => {
    const off = (env: Record<string, string>) => tracesUrl(loadConfig(env).config);
    assert.equal(off({}), null);
    assert.equal(Tracing.start(loadConfig({}).config, '0'), null, 'nothing is built');
    assert.equal(off({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), null);
    assert.equal(off({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }), 'http://c:4318/v1/traces');
    assert.equal(off({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/t' }), 'http://c/t');
    assert.equal(off({ OTEL_TRACES_EXPORTER: 'otlp' }), 'http://localhost:4318/v1/traces');
    assert.match(loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin' }).errors.join(), /OTEL_TRACES_EXPORTER must be one of otlp, none/);
  });

  it('exports a SignalEvent span under the caller traceparent and a span per attempt over OTLP/HTTP', { timeout: 60_000 }, async () => {
    const { hookd, url } = await listenOn(dataDir, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_SERVICE_NAME: 'hookd-test' } });
    let closed = false;
    try {
      const ok = await call(url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/ok`, { Events: ['contact.created'] }) });
      assert.equal(ok.status, 200, ok.text);
      const before = receiver.count;
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentId = '00f067aa0ba902b7';
      const signalled = await call(url, 'POST', '/api/v1/Webhook/contact.created/77', {
        body: {},
        headers: { traceparent: `00-${traceId}-${parentId}-01` },
      });
      assert.equal(signalled.status, 204, signalled.text);
      await receiver.waitFor(before + 1);
      await new Promise((r) => setTimeout(r, 300));
      await hookd.close(); // flushes the batch
      closed = true;

      assert.ok(
        posts.every((p) => p.startsWith('POST /v1/traces application/json')),
        posts.join('\n'),
      );
      const signal = spans.find((s) => s.name === 'SignalEvent');
      assert.ok(signal, `spans: ${spans.map((s) => s.name).join(', ')}`);
      assert.equal(signal.traceId, traceId, 'continues the trace of the request');
      assert.equal(signal.parentSpanId, parentId);
      assert.equal(attr(signal, 'hookd.tenant'), 'Default');
      assert.equal(attr(signal, 'hookd.event'), 'contact.created');
      assert.equal(attr(signal, 'http.response.status_code'), 204);

      const attempt = spans.find((s) => s.name === 'delivery attempt' && attr(s, 'hookd.primary_key') === 77);
      assert.ok(attempt, `spans: ${spans.map((s) => `${s.name} ${attr(s, 'hookd.event')}`).join(', ')}`);
      assert.equal(attr(attempt, 'hookd.webhook.id'), (ok.json as { WebhookId: number }).WebhookId);
      assert.equal(attr(attempt, 'hookd.tenant'), 'Default');
      assert.equal(attr(attempt, 'hookd.event'), 'contact.created');
      assert.equal(attr(attempt, 'hookd.outcome'), 'success');
      assert.equal(attr(attempt, 'http.response.status_code'), 200);
      assert.equal(attr(attempt, 'hookd.retry'), 0);
    } finally {
      if (!closed) await hookd.close();
    }
  });

  it(
    'nests a delivery span under SignalEvent and its attempts under the delivery, in the request trace; the receiver gets the attempt span',
    {
      timeout: 60_000,
    },
    async () => {
      spans.length = 0;
      const { hookd, url } = await listenOn(dataDir, {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, HOOKD_SAVE_PING: '0', HOOKD_RETRY_DELAYS_MS: '100' },
      });
      let closed = false;
      try {
        const created = await call(url, 'POST', '/api/v1/Webhook', {
          body: webhookBody(`${receiver.url}/flaky`, { Events: ['sale.created'], SendTraceContext: true }),
        });
        assert.equal(created.status, 200, created.text);
        const webhookId = (created.json as { WebhookId: number }).WebhookId;
        let calls = 0;
        const respond = receiver.respond;
        receiver.respond = (r, res) => {
          if (r.path !== '/flaky') return respond(r, res);
          res.statusCode = ++calls === 1 ? 500 : 200; // the first attempt fails, its retry delivers
          res.end();
        };
        const before = receiver.count;
        const traceId = '0af7651916cd43dd8448eb211c80319c';
        const signalled = await call(url, 'POST', '/api/v1/Webhook/sale.created/9', {
          body: {},
          headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
        });
        assert.equal(signalled.status, 204, signalled.text);
        await receiver.waitFor(before + 2);
        receiver.respond = respond;
        const sent = receiver.received.slice(before).map((r) => r.headers.traceparent as string);
        const log = await call(url, 'GET', `/api/v1/Webhook/${webhookId}/Deliveries`);
        assert.equal(log.json.Items[0].TraceId, traceId, 'the delivery log names the request trace');
        // Signalled in process without a trace: the delivery gets a trace of its own, its attempt still nests in it.
        assert.equal(await hookd.signal({ eventName: 'sale.created', primaryKey: 10 }), 1);
        await receiver.waitFor(before + 3);
        await new Promise((r) => setTimeout(r, 300));
        await hookd.close();
        closed = true;

        const signal = spans.find((s) => s.name === 'SignalEvent' && attr(s, 'hookd.event') === 'sale.created');
        const delivery = spans.find((s) => s.name === 'delivery' && attr(s, 'hookd.primary_key') === 9);
        const attempts = spans.filter((s) => s.name === 'delivery attempt' && attr(s, 'hookd.primary_key') === 9);
        assert.ok(signal && delivery, `spans: ${spans.map((s) => s.name).join(', ')}`);
        assert.equal(attempts.length, 2);
        for (const s of [signal, delivery, ...attempts]) assert.equal(s.traceId, traceId, `${s.name} in the request trace`);
        assert.equal(delivery.parentSpanId, signal.spanId, 'the delivery is a child of the ingestion span');
        for (const a of attempts) assert.equal(a.parentSpanId, delivery.spanId, 'each attempt is a child of its delivery');
        assert.deepEqual(
          attempts.map((a) => attr(a, 'hookd.outcome')),
          ['failure', 'success'],
        );
        assert.equal(attr(delivery, 'hookd.webhook.id'), webhookId);
        assert.equal(attr(delivery, 'hookd.tenant'), 'Default');
        assert.equal(attr(delivery, 'hookd.primary_key'), 9);
        assert.deepEqual(
          sent,
          attempts.map((a) => `00-${traceId}-${a.spanId}-01`),
          "the receiver's traceparent names the attempt's span",
        );
        const own = spans.filter((s) => attr(s, 'hookd.primary_key') === 10);
        const ownDelivery = own.find((s) => s.name === 'delivery');
        const ownAttempt = own.find((s) => s.name === 'delivery attempt');
        assert.ok(ownDelivery && ownAttempt, `spans: ${own.map((s) => s.name).join(', ')}`);
        assert.equal(ownDelivery.parentSpanId ?? '', '', 'a root: no SignalEvent request');
        assert.notEqual(ownDelivery.traceId, traceId);
        assert.equal(ownAttempt.traceId, ownDelivery.traceId);
        assert.equal(ownAttempt.parentSpanId, ownDelivery.spanId);
      } finally {
        if (!closed) await hookd.close();
      }
    },
  );

  it('marks a failed attempt with its stage and status', { timeout: 60_000 }, async () => {
    spans.length = 0;
    const { hookd, url } = await listenOn(dataDir, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, HOOKD_SAVE_PING: '0', HOOKD_RETRY_DELAYS_MS: '60000' },
    });
    const created = await call(url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/fails`, { Events: ['person.created'] }),
    });
    assert.equal(created.status, 200, created.text);
    const before = receiver.count;
    await call(url, 'POST', '/api/v1/Webhook/person.created/5', { body: {} });
    await receiver.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    await hookd.close();
    const failed = spans.find((s) => s.name === 'delivery attempt' && attr(s, 'hookd.event') === 'person.created');
    assert.ok(failed, `spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(attr(failed, 'hookd.outcome'), 'failure');
    assert.equal(attr(failed, 'hookd.stage'), 'response');
    assert.equal(attr(failed, 'http.response.status_code'), 500);
    assert.equal(failed.status?.code, 2, 'status ERROR');
  });
});
