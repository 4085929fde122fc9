/**
 * MaxPerSecond and Ordering Strict, on both stores. The rate limit is measured where it matters, at the
 * receiver, in real time: a limited webhook never gets more than its limit in any window while an unlimited
 * one beside it runs at full speed. Strict ordering moves a test clock through a failing stretch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, waitUntil, webhookBody } from '../helpers/harness.js';
import { type Received, Receiver } from '../helpers/receiver.js';

let receiver: Receiver;
/** Per path: primary keys that fail (500) while listed. */
const failingKeys = new Map<string, Set<number>>();

before(async () => {
  receiver = await Receiver.start((req, res) => {
    const pk = JSON.parse(req.body.toString()).PrimaryKey as number;
    res.statusCode = failingKeys.get(req.path)?.has(pk) ? 500 : 200;
    res.end();
  });
});
after(async () => receiver.close());

const at = (path: string): Received[] => receiver.received.filter((r) => r.path === path);
const keyOf = (r: Received) => JSON.parse(r.body.toString()).PrimaryKey as number;

async function hook(server: TestServer, path: string, overrides: Record<string, unknown>): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, overrides) });
  assert.equal(res.status, 200, res.text);
  return res.json.WebhookId as number;
}

async function signalMany(server: TestServer, name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 250) {
    const items = Array.from({ length: Math.min(250, count - i) }, (_, k) => ({ EventName: name, PrimaryKey: i + k + 1 }));
    const res = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: items });
    assert.equal(res.status, 204, res.text);
  }
}

/** The most arrivals in any window of `ms`. */
function busiestWindow(arrivals: number[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while ((arrivals[i] as number) - (arrivals[j] as number) >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('MaxPerSecond', () => {
  let server: TestServer;
  before(async () => {
    server = await startHookd();
  });
  after(async () => server.close());

  it(
    'a webhook limited to 20/s gets at most its limit in any window while an unlimited one runs at full speed',
    { timeout: 30_000 },
    async () => {
      await hook(server, '/limited', { Events: ['sale.changed'], MaxPerSecond: 20 });
      await hook(server, '/free', { Events: ['sale.changed'] });
      const started = Date.now();
      await signalMany(server, 'sale.changed', 60);
      await waitUntil(() => at('/free').length === 60, 10_000, 'the unlimited webhook');
      const freeDone = Date.now() - started;
      await waitUntil(() => at('/limited').length === 60, 15_000, 'the limited webhook');
      const limited = at('/limited').map((r) => r.at);
      const span = (limited.at(-1) as number) - (limited[0] as number);
      // 60 starts 50 ms apart span 2.95 s; arrival jitter of a few ms is allowed for, a burst is not.
      assert.ok(span >= 2800, `60 attempts at 20/s take ≥ 2.95 s (took ${span} ms)`);
      // Starts are never closer than the schedule; arrivals can bunch by the network's jitter (one slot at most here),
      // so any 2 s at the receiver hold at most 2 × 20, +1 at the window's edge, +1 for jitter.
      const busiest = busiestWindow(limited, 2000);
      assert.ok(busiest <= 42, `at most 40 (+2) in any 2 seconds: ${busiest}`);
      assert.ok(freeDone < span / 2, `the unlimited webhook is not held back (${freeDone} ms vs ${span} ms)`);
      assert.deepEqual(
        at('/limited')
          .map(keyOf)
          .sort((a, b) => a - b),
        Array.from({ length: 60 }, (_, i) => i + 1),
        'nothing dropped: every event queued and sent',
      );
    },
  );
});

describe('Ordering Strict', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startHookd({}, { clock });
  });
  after(async () => server.close());

  it(
    'delivers 1,000 events in signal order across a failing stretch; the log shows what blocks the queue',
    { timeout: 60_000 },
    async () => {
      const id = await hook(server, '/strict', { Events: ['contact.changed'], Ordering: 'Strict' });
      await hook(server, '/loose', { Events: ['contact.changed'] });
      failingKeys.set('/strict', new Set([300, 301]));
      failingKeys.set('/loose', new Set([300]));
      await signalMany(server, 'contact.changed', 1000);
      await server.deliver();
      // Event 300 fails its cycle (1 s, 4 s) and starts new ones in place; 301 and on wait behind it.
      assert.equal(Math.max(...at('/strict').map(keyOf)), 300, 'nothing after the failing event');
      const log = await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries?$top=1`);
      assert.equal(log.json.BlockedBy.EventId, at('/strict').at(-1)!.headers['x-superoffice-eventid']);
      assert.equal(log.json.BlockedBy.Attempts, 1);
      // 1 s: attempt 2; 4 s: attempt 3, and the new cycle's first at once; 1 s: 5; 4 s: 6 and 7 (7 failures: still Active).
      for (const ms of [1000, 4000, 1000, 4000]) {
        clock.advance(ms);
        await server.deliver();
      }
      assert.deepEqual(
        at('/strict')
          .filter((r) => keyOf(r) === 300)
          .map((r) => r.headers['x-superoffice-retry']),
        ['0', '1', '2', '3', '4', '5', '6'],
        'retried in place, its cycles going on',
      );
      assert.equal(Math.max(...at('/strict').map(keyOf)), 300, 'still blocked after seven attempts');
      assert.ok(at('/loose').length >= 1000, 'the webhook without ordering went on: 300 went to the back of its queue');
      failingKeys.get('/strict')!.delete(300);
      clock.advance(4000);
      await server.deliver();
      assert.equal(Math.max(...at('/strict').map(keyOf)), 301, '300 delivered, 301 fails now');
      failingKeys.delete('/strict');
      for (let i = 0; i < 3; i++) {
        clock.advance(4000);
        await server.deliver();
      }
      const succeeded = at('/strict')
        .map(keyOf)
        .filter((pk, i, all) => all[i + 1] !== pk);
      assert.deepEqual(
        succeeded,
        Array.from({ length: 1000 }, (_, i) => i + 1),
        'each event once it succeeded, in signal order',
      );
      const order = at('/strict').map(keyOf);
      assert.ok(
        order.every((pk, i) => i === 0 || pk >= (order[i - 1] as number)),
        'no event was attempted before an earlier one was delivered',
      );
      const flowing = await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries?$top=1`);
      assert.equal(flowing.json.BlockedBy, null);
      const loose = at('/loose').map(keyOf);
      assert.ok(
        loose.indexOf(300) < loose.lastIndexOf(300) && loose.lastIndexOf(300) > loose.indexOf(999),
        "NetServer's rule without Strict",
      );
    },
  );
});
