/**
 * The trace context kept with each event (issue 26, migration 012), with tracing OFF (the default), on both stores:
 * a valid W3C traceparent from the SignalEvent request (REST, RPC, batch, in-process) is stored and its trace id shown
 * in the delivery log (JSON and CSV); hostile or malformed ones are ignored, never an error; a webhook that opted in
 * (SendTraceContext) sends a traceparent in the event's trace to its receiver, one that did not sends exactly the
 * headers it always sent; a delivery attempt's log line carries the trace id. Real hookd and receiver on loopback,
 * real SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createHookd, type Hookd } from '../../src/hookd.js';
import { call, TestClock, testConfig, webhookBody } from '../helpers/harness.js';
import { ok, Receiver, type Received } from '../helpers/receiver.js';
import { freshPostgres, POSTGRES_URL } from '../helpers/stores.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

/** The NetServer request's own headers, in order, with undici's connection headers left out (test/delivery/wire). */
function ours(r: Received): string[] {
  return r.headerOrder.map((h) => h.toLowerCase()).filter((h) => !['host', 'connection', 'content-length'].includes(h));
}

const stores = POSTGRES_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

for (const kind of stores) {
  describe(`the trace context of events (tracing off, ${kind})`, () => {
    const clock = new TestClock();
    let hookd: Hookd;
    let url: string;
    let receiver: Receiver;
    let dataDir: string;
    let drop: () => Promise<void> = async () => undefined;

    before(async () => {
      receiver = await Receiver.start();
      dataDir = mkdtempSync(join(tmpdir(), 'hookd-trace-context-'));
      let store;
      if (kind === 'postgres') ({ store, drop } = await freshPostgres());
      hookd = await createHookd(testConfig(dataDir), { store, clock, manualDelivery: true });
      url = await hookd.listen();
    });
    after(async () => {
      await hookd.close();
      await drop();
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function webhook(path: string, events: string[], overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
      const res = await call(url, 'POST', '/api/v1/Webhook', {
        body: webhookBody(`${receiver.url}${path}`, { Events: events, ...overrides }),
      });
      assert.equal(res.status, 200, res.text);
      return res.json;
    }
    const deliver = () => (hookd.worker as NonNullable<Hookd['worker']>).runUntilIdle();
    const at = (path: string) => receiver.received.filter((r) => r.path === path);
    /** The delivery log's items by primary key. */
    async function logOf(id: number): Promise<Map<number, Record<string, any>>> {
      const log = await call(url, 'GET', `/api/v1/Webhook/${id}/Deliveries?$top=100`);
      assert.equal(log.status, 200, log.text);
      return new Map((log.json.Items as Array<Record<string, any>>).map((d) => [d.PrimaryKey as number, d]));
    }

    it('stores a valid traceparent from SignalEvent (REST, RPC, batch, in process) and shows its trace id in the log and CSV', async () => {
      const w = await webhook('/plain', ['trace.kept']);
      const other = 'a'.repeat(31) + 'b';
      const rest = await call(url, 'POST', '/api/v1/Webhook/trace.kept/1', { body: {}, headers: { traceparent: VALID } });
      assert.equal(rest.status, 204, rest.text);
      const rpc = await call(url, 'POST', '/api/v1/Agents/Webhook/SignalEvent', {
        body: { EventName: 'trace.kept', PrimaryKey: 2 },
        headers: { traceparent: `00-${other}-${PARENT}-00` },
      });
      assert.equal(rpc.status, 204, rpc.text);
      const batch = await call(url, 'POST', '/api/v1/Webhook/Events', {
        body: [
          { EventName: 'trace.kept', PrimaryKey: 3 },
          { EventName: 'trace.kept', PrimaryKey: 4 },
        ],
        headers: { traceparent: VALID },
      });
      assert.equal(batch.status, 204, batch.text);
      assert.equal(await call(url, 'POST', '/api/v1/Webhook/trace.kept/5', { body: {} }).then((r) => r.status), 204);
      assert.equal(await hookd.signal({ eventName: 'trace.kept', primaryKey: 6, traceParent: VALID }), 1);
      assert.equal(await hookd.signal({ eventName: 'trace.kept', primaryKey: 7, traceParent: 'nonsense' }), 1);
      await deliver();

      const log = await logOf(w.WebhookId);
      const traceIds = [1, 2, 3, 4, 5, 6, 7].map((pk) => log.get(pk)?.TraceId);
      assert.deepEqual(traceIds, [TRACE, other, TRACE, TRACE, null, TRACE, null]);
      for (const d of log.values()) assert.equal(d.Status, 'delivered');

      const csv = await call(url, 'GET', `/api/v1/Webhook/${w.WebhookId}/Deliveries?Format=csv`);
      assert.equal(csv.status, 200, csv.text);
      const lines = csv.text.split('\r\n');
      assert.equal(lines[0]?.split(',').at(-1), 'TraceId');
      const byPk = new Map(lines.slice(1, -1).map((l) => [Number(l.split(',')[3]), l.split(',').at(-1)]));
      assert.deepEqual(
        [1, 2, 3, 4, 5, 6, 7].map((pk) => byPk.get(pk)),
        [TRACE, other, TRACE, TRACE, '', TRACE, ''],
      );
      // Not opted in: the receiver never sees a traceparent, and the traced event's headers are the untraced one's.
      const got = at('/plain');
      assert.equal(got.length, 7);
      for (const r of got) assert.equal(r.headers.traceparent, undefined);
      assert.deepEqual(ours(got[0]!), [
        'content-type',
        'user-agent',
        'x-superoffice-event',
        'x-superoffice-eventid',
        'x-superoffice-retry',
        'x-superoffice-signature',
      ]);
      assert.deepEqual(
        got.map(ours),
        got.map(() => ours(got[0]!)),
      );
    });

    it('ignores malformed and hostile traceparents: the event is stored without one, the request succeeds', async () => {
      const w = await webhook('/hostile', ['trace.hostile']);
      const hostile: Array<[string, string]> = [
        ['too long', `${VALID}-00`],
        ['too short', VALID.slice(0, -1)],
        ['version ff', `ff-${TRACE}-${PARENT}-01`],
        ['a future version 01 with extra fields', `01-${TRACE}-${PARENT}-01-extra`],
        ['uppercase hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
        ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
        ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
        ['not hex', `00-${'g'.repeat(32)}-${PARENT}-01`],
        ['spaces around', ` ${VALID.slice(1)}`],
        ['a 10 KB header', `00-${TRACE}-${PARENT}-01${'0'.repeat(10_000)}`],
        ['a 10 KB header of dashes', '-'.repeat(10_240)],
      ];
      let pk = 100;
      for (const [what, header] of hostile) {
        const res = await call(url, 'POST', `/api/v1/Webhook/trace.hostile/${++pk}`, { body: {}, headers: { traceparent: header } });
        assert.equal(res.status, 204, `${what}: ${res.text}`);
      }
      await deliver();
      const log = await logOf(w.WebhookId);
      assert.equal(log.size, hostile.length);
      for (const [i, [what]] of hostile.entries()) assert.equal(log.get(101 + i)?.TraceId, null, what);
    });

    it('SendTraceContext: shown only when set, kept by a PUT that does not name it, in XML and $select, refused when not a boolean', async () => {
      const plain = await webhook('/x', ['trace.shown']);
      assert.equal('SendTraceContext' in plain, false, 'a NetServer client sees the carrier it always saw');
      const w = await webhook('/x', ['trace.shown'], { SendTraceContext: true });
      assert.equal(w.SendTraceContext, true);
      const { SendTraceContext: _s, ...netserver } = w;
      const put = await call(url, 'PUT', `/api/v1/Webhook/${w.WebhookId}`, { body: { ...netserver, Name: 'renamed' } });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual([put.json.Name, put.json.SendTraceContext], ['renamed', true]);
      const xml = await call(url, 'GET', `/api/v1/Webhook/${w.WebhookId}`, { headers: { Accept: 'application/xml' } });
      assert.match(xml.text, /<SendTraceContext>true<\/SendTraceContext>/);
      const selected = await call(url, 'GET', `/api/v1/Webhook/${w.WebhookId}?$select=SendTraceContext`);
      assert.deepEqual([selected.json.Name, selected.json.SendTraceContext], [null, true]);
      const fromXml = await call(url, 'POST', '/api/v1/Webhook', {
        headers: { 'Content-Type': 'application/xml' },
        body:
          `<Webhook><Name>x</Name><Events><string>trace.shown</string></Events><TargetUrl>${receiver.url}/x</TargetUrl>` +
          '<SendTraceContext>true</SendTraceContext></Webhook>',
      });
      assert.equal(fromXml.status, 200, fromXml.text);
      assert.equal(fromXml.json.SendTraceContext, true);
      const off = await call(url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
        body: { SendTraceContext: false },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assert.equal(off.status, 200, off.text);
      assert.equal('SendTraceContext' in off.json, false);
      const bad = await call(url, 'POST', '/api/v1/Webhook', {
        body: webhookBody(`${receiver.url}/x`, { SendTraceContext: 'sometimes' }),
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.json.ErrorCode, 'invalid_field');
      assert.ok(bad.text.includes('SendTraceContext'), bad.text);
    });

    it('a webhook that opted in sends traceparent in the event trace, with a new parent id per attempt; without a trace, none', async () => {
      await webhook('/opted', ['trace.sent'], { SendTraceContext: true, Headers: { 'X-Api-Key': 'abc' } });
      receiver.respond = (r, res) => {
        // The first attempt of event 1 fails: its retry must carry a parent id of its own.
        const first = (x: Received) => x.path === '/opted' && x.body.includes('"PrimaryKey":1,');
        res.statusCode = first(r) && receiver.received.filter(first).length === 1 ? 500 : 200;
        res.end();
      };
      try {
        assert.equal((await call(url, 'POST', '/api/v1/Webhook/trace.sent/1', { body: {}, headers: { traceparent: VALID } })).status, 204);
        assert.equal((await call(url, 'POST', '/api/v1/Webhook/trace.sent/2', { body: {} })).status, 204);
        await deliver();
        clock.advance(60_000);
        await deliver();
      } finally {
        receiver.respond = ok;
      }
      const got = at('/opted');
      const traced = got.filter((r) => r.body.includes('"PrimaryKey":1,'));
      const untraced = got.filter((r) => r.body.includes('"PrimaryKey":2,'));
      assert.equal(traced.length, 2, 'a failed attempt and its retry');
      assert.equal(untraced.length, 1);
      const parents = traced.map((r) => {
        const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(r.headers.traceparent as string);
        assert.ok(m, `traceparent: ${r.headers.traceparent}`);
        assert.equal(m[1], TRACE, 'the trace of the SignalEvent request');
        assert.notEqual(m[2], PARENT, "hookd's attempt is the parent, not the caller's span");
        return m[2];
      });
      assert.notEqual(parents[0], parents[1], 'each attempt is a span of its own');
      // Opted in, the headers are NetServer's in NetServer's order, then traceparent, then the webhook's own.
      assert.deepEqual(ours(traced[0]!), [
        'content-type',
        'user-agent',
        'x-superoffice-event',
        'x-superoffice-eventid',
        'x-superoffice-retry',
        'x-superoffice-signature',
        'traceparent',
        'x-api-key',
      ]);
      assert.equal(untraced[0]!.headers.traceparent, undefined, 'no trace stored: nothing to send');
    });

    it('an Idempotency-Key repeat in another trace is still a repeat, not a conflict', async () => {
      await webhook('/idem', ['trace.idem']);
      const first = await call(url, 'POST', '/api/v1/Webhook/trace.idem/1', {
        body: {},
        headers: { traceparent: VALID, 'Idempotency-Key': `k-${kind}` },
      });
      assert.equal(first.status, 204, first.text);
      const again = await call(url, 'POST', '/api/v1/Webhook/trace.idem/1', {
        body: {},
        headers: { traceparent: `00-${'c'.repeat(32)}-${PARENT}-01`, 'Idempotency-Key': `k-${kind}` },
      });
      assert.equal(again.status, 204, again.text);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
    });
  });
}

describe('the log lines of delivery attempts', () => {
  it("carry the event's traceId when it has one, and no traceId key when not", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'hookd-trace-log-'));
    const hookd = await createHookd(testConfig(dataDir), {
      clock: new TestClock(),
      manualDelivery: true,
      logger: pino({ level: 'warn' }, out),
    });
    try {
      const url = await hookd.listen();
      // A crmscript webhook whose handler went away: each attempt is hookd's own fault, which is logged.
      hookd.registerHandler('Gone', () => undefined);
      const created = await call(url, 'POST', '/api/v1/Webhook', {
        body: { Name: 'gone', Events: ['trace.logged'], Type: 'crmscript', TargetUrl: 'Gone' },
      });
      assert.equal(created.status, 200, created.text);
      hookd.unregisterHandler('Gone');
      assert.equal((await call(url, 'POST', '/api/v1/Webhook/trace.logged/1', { body: {}, headers: { traceparent: VALID } })).status, 204);
      await (hookd.worker as NonNullable<Hookd['worker']>).runUntilIdle();
      assert.equal((await call(url, 'POST', '/api/v1/Webhook/trace.logged/2', { body: {} })).status, 204);
      await (hookd.worker as NonNullable<Hookd['worker']>).runUntilIdle();
      const faults = lines.filter((l) => l.msg === 'hookd could not send; will retry');
      assert.equal(faults.length, 2, JSON.stringify(lines));
      assert.equal(faults[0]!.traceId, TRACE);
      assert.equal('traceId' in faults[1]!, false);
    } finally {
      await hookd.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
