/**
 * A wake-up that comes while an exchange runs (an event stored meanwhile, another process's NOTIFY) is not lost
 * when that exchange's answer — read before the work was there — comes back: the next pass takes the work at once,
 * not after the poll interval. The answer used to reset "take work" to what it had found. Driven by a test clock,
 * so no poll can hide a lost wake-up; the store is real, and the event is stored in the middle of an exchange.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { overriding } from '../helpers/stores.js';

describe('a wake-up during an exchange', () => {
  const clock = new TestClock();
  let receiver: Receiver;
  let server: TestServer;
  /** Runs inside the next exchange, after the store answered. */
  let during: (() => Promise<void>) | null = null;

  before(async () => {
    receiver = await Receiver.start();
    server = await startHookd(
      { pollIntervalMs: 60_000 },
      {
        clock,
        wrapStore: (store) =>
          overriding(store, {
            queue: overriding(store.queue, {
              exchange: async (r) => {
                const answer = await store.queue.exchange(r);
                const work = during;
                during = null;
                await work?.();
                return answer;
              },
            }),
          }),
      },
    );
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('is kept: the next pass at the same moment takes the webhook and sends its event', async () => {
    const w = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/woken`) });
    assert.equal(w.status, 200, w.text);
    const worker = server.hookd.worker!;
    await worker.runUntilIdle(); // nothing queued yet: the webhook is not taken
    assert.equal(worker.ownedWebhooks, 0);
    worker.wake();
    during = async () => {
      // The event arrives while the exchange is out: stored, and the worker woken, as SignalEvent does.
      const res = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/7', { body: {} });
      assert.equal(res.status, 204, res.text);
    };
    await worker.runOnce();
    assert.equal(during, null, 'the event was stored during that exchange');
    await worker.runUntilIdle(); // the clock has not moved: only the kept wake-up can make it take the webhook
    assert.deepEqual(
      receiver.received.filter((r) => r.path === '/woken').map((r) => JSON.parse(r.body.toString()).PrimaryKey),
      [7],
    );
  });
});
