/**
 * The store hands the deliveries it just queued to the worker (issue 22, SQLite): an owner with nothing else
 * waiting in the store sends them without a refill read or a wake-up exchange. The hand-off is a copy — the
 * rows stay queued — so it must never send a delivery twice, lose one, or change the order a backlog keeps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { TEST_STORE } from '../helpers/stores.js';

const events = (first: number, n: number) => Array.from({ length: n }, (_, i) => ({ EventName: 'contact.created', PrimaryKey: first + i }));

describe('hand-off of fresh deliveries', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await Receiver.start((_req, res) => {
      setTimeout(() => res.end('ok'), 1);
    });
  });
  after(async () => receiver.close());

  const keysAt = (path: string) =>
    receiver.received
      .filter((r) => r.path === path && r.headers['x-hook-test'] !== 'true')
      .map((r) => (JSON.parse(r.body.toString()) as { PrimaryKey: number }).PrimaryKey);

  it('sends an event for a caught-up webhook with one exchange (the result), not a wake-up exchange first', async () => {
    const clock = new TestClock();
    const server: TestServer = await startHookd({}, { clock });
    try {
      const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/caught-up`) });
      assert.equal(created.status, 200, created.text);
      await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: events(1, 1) });
      await server.deliver();
      const worker = server.hookd.worker!;
      const before = worker.exchanges;
      await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: events(2, 1) });
      await server.deliver();
      assert.deepEqual(keysAt('/caught-up'), [1, 2]);
      // PostgreSQL hands nothing off (another process may own the webhook): the wake-up exchange refills first. The
      // event's own NOTIFY may reach this process while that exchange runs, and a wake-up then asks for one more take
      // (wake-during-exchange.test.ts): 2 exchanges, or 3.
      const exchanges = worker.exchanges - before;
      if (TEST_STORE === 'sqlite') assert.equal(exchanges, 1);
      else assert.ok(exchanges === 2 || exchanges === 3, `${exchanges} exchanges`);
    } finally {
      await server.close();
    }
  });

  it('sends an in-process event as it was signalled, though the caller changes its object afterwards', async () => {
    const clock = new TestClock();
    const server: TestServer = await startHookd({}, { clock });
    try {
      const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/in-process`) });
      assert.equal(created.status, 200, created.text);
      await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: events(1, 1) });
      await server.deliver(); // the owner is caught up: the next delivery is handed to it in memory
      const data = { FieldValues: { name: 'before' }, Changes: ['name'] };
      assert.equal(await server.hookd.signal({ eventName: 'contact.created', primaryKey: 2, data }), 1);
      data.FieldValues.name = 'after';
      data.Changes.push('email');
      await server.deliver();
      const last = receiver.received.filter((r) => r.path === '/in-process').at(-1)!;
      const body = JSON.parse(last.body.toString()) as { PrimaryKey: number; FieldValues: { name: string }; Changes: string[] };
      assert.deepEqual([body.PrimaryKey, body.FieldValues, body.Changes], [2, { name: 'before' }, ['name']]);
    } finally {
      await server.close();
    }
  });

  it('sends each delivery once, in signal order, when fresh events meet a backlog and a full window', async () => {
    // One in flight and a window of 32: most batches arrive while the webhook still has a backlog in the store.
    const server = await startHookd({ maxInFlightPerWebhook: 1 });
    try {
      const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/backlog`) });
      assert.equal(created.status, 200, created.text);
      let next = 1;
      for (const size of [40, 1, 1, 25, 1, 60, 1, 1, 1, 30]) {
        const res = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: events(next, size) });
        assert.equal(res.status, 204, res.text);
        next += size;
        await new Promise((r) => setTimeout(r, 3));
      }
      const total = next - 1;
      const deadline = Date.now() + 30_000;
      while (keysAt('/backlog').length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100)); // a duplicate would arrive now
      assert.deepEqual(
        keysAt('/backlog'),
        Array.from({ length: total }, (_, i) => i + 1),
      );
    } finally {
      await server.close();
    }
  });
});
