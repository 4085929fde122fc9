/**
 * Busy webhooks in one process share the sending capacity evenly, by attempts started, whatever each one's
 * backlog (issue 22): a webhook with four times the queue of another gets no more of the process while both
 * have work. (The recover bench once read 0.24 for a healthy webhook's share; its backlog had run dry.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const LIMIT = 4;
let server: TestServer;
let receiver: Receiver;

before(async () => {
  // Every answer takes 2 ms, so both webhooks are always at their in-flight limit while they have work.
  receiver = await Receiver.start((_req, res) => {
    setTimeout(() => res.end('ok'), 2);
  });
  server = await startHookd({ maxInFlightPerWebhook: LIMIT });
});
after(async () => {
  await server.close();
  await receiver.close();
});

describe('fair shares', () => {
  it('gives two busy webhooks the same number of attempts, whatever their backlogs', async () => {
    for (const [path, event] of [
      ['/big', 'contact.created'],
      ['/small', 'sale.sold'],
    ] as const) {
      const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, { Events: [event] }) });
      assert.equal(res.status, 200, res.text);
    }
    const batch = (event: string, n: number) => Array.from({ length: n }, (_, i) => ({ EventName: event, PrimaryKey: i + 1 }));
    // One batch: both queues are stored, and their webhooks taken, together.
    const both = await call(server.url, 'POST', '/api/v1/Webhook/Events', {
      body: [...batch('sale.sold', 100), ...batch('contact.created', 400)],
    });
    assert.equal(both.headers.get('x-hookd-deliveries'), '500');
    const count = (path: string) => receiver.received.filter((r) => r.path === path && r.headers['x-hook-test'] !== 'true').length;
    const deadline = Date.now() + 20_000;
    while (count('/small') < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(count('/small'), 100);
    // The big one's attempts that arrived before the small one's 100th, from the receiver's order of arrival: not
    // counted when the poll above wakes (at 2 attempts a millisecond, its few milliseconds late added ~10).
    let big = 0;
    let small = 0;
    for (const r of receiver.received) {
      if (r.headers['x-hook-test'] === 'true') continue;
      if (r.path === '/small' && ++small === 100) break;
      if (r.path === '/big') big++;
    }
    // Each had LIMIT in flight the whole time: the big one may be ahead by what one exchange's refill and its
    // in-flight attempts allow, never by its larger backlog.
    assert.ok(big >= 100 - 3 * LIMIT && big <= 100 + 3 * LIMIT, `the big webhook had ${big} attempts while the small one had 100`);
  });
});
