/**
 * On a shared store a webhook's lease is what keeps a second process from sending it too. A worker whose
 * store stops answering must stop starting attempts before its leases could expire — even from the window
 * it holds in memory — and resume once a renewal goes through. Driven by a test clock; the store is real,
 * and only its exchange is made to fail, as an unreachable database would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, waitUntil, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { overriding } from '../helpers/stores.js';

describe('a worker that cannot renew its leases', () => {
  const clock = new TestClock();
  let receiver: Receiver;
  let server: TestServer;
  let unreachable = false;
  /** Requests the receiver holds open until the test lets them answer. */
  const held: Array<() => void> = [];

  before(async () => {
    receiver = await Receiver.start((_req, res) => {
      held.push(() => res.end('ok'));
    });
    server = await startHookd(
      { maxInFlightPerWebhook: 1, attemptTimeoutMs: 10_000 },
      {
        clock,
        // A shared queue (leases matter) whose exchange fails while `unreachable`, as an unreachable database would.
        wrapStore: (store) =>
          overriding(store, {
            queue: {
              shared: true,
              exchange: (r) =>
                unreachable ? Promise.reject(new Error('connect ECONNREFUSED (the test cut the store off)')) : store.queue.exchange(r),
              releaseAll: (owner) => store.queue.releaseAll(owner),
              watchWork: (listener) => store.queue.watchWork(listener),
            },
          }),
      },
    );
  });
  after(async () => {
    for (const answer of held.splice(0)) answer();
    await server.close();
    await receiver.close();
  });

  it('stops starting attempts from its window once a lease could expire mid-attempt, and resumes after a renewal', async () => {
    const w = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/leased`) });
    assert.equal(w.status, 200, w.text);
    for (let i = 1; i <= 5; i++) await call(server.url, 'POST', `/api/v1/Webhook/contact.created/${i}`, { body: {} });
    const worker = server.hookd.worker!;

    await worker.runOnce(); // takes the webhook and its five deliveries; starts one (limit 1)
    await receiver.waitFor(1);
    assert.equal(worker.activeAttempts, 1);

    // The store stops answering. 10 s later an attempt started now (10 s timeout) could outlive the 20 s lease.
    unreachable = true;
    clock.advance(10_001);
    await assert.rejects(worker.runOnce(), /ECONNREFUSED/);
    held.shift()!(); // the first attempt answers: without the lease check the next would start from memory now
    await waitUntil(() => worker.attemptsMade === 1 && worker.activeAttempts === 0, 5000, 'the first attempt to finish');
    await new Promise((r) => setImmediate(r));
    assert.equal(worker.activeAttempts, 0, 'no attempt starts while the lease may lapse');
    assert.equal(receiver.count, 1);

    // The store answers again: the renewal goes through and sending resumes, each delivery exactly once.
    unreachable = false;
    const draining = worker.runUntilIdle();
    for (let sent = 2; sent <= 5; sent++) {
      await waitUntil(() => held.length > 0, 5000, `attempt ${sent}`);
      held.shift()!();
    }
    await draining;
    assert.equal(receiver.count, 5);
    const keys = receiver.received.map((r) => JSON.parse(r.body.toString('utf8')).PrimaryKey as number);
    assert.deepEqual(
      keys.sort((a, b) => a - b),
      [1, 2, 3, 4, 5],
    );
    const stats = (await call(server.url, 'GET', `/api/v1/Webhook/${w.json.WebhookId}`)).json;
    assert.deepEqual([stats.TotalCalls, stats.TotalErrors], [5, 0]);
  });
});
