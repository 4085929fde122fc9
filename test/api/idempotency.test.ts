/**
 * Idempotent ingestion: an Idempotency-Key on SignalEvent (REST and RPC) and the batch route. 100 concurrent
 * repeats of one request queue exactly one event; a repeat gets the first answer; another body is a 409.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const clock = new TestClock();
let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({}, { clock });
  for (const [path, events] of [
    ['/one', ['contact.created']],
    ['/two', ['contact.created', 'sale.sold']],
  ] as const) {
    const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, { Events: events }) });
    assert.equal(res.status, 200, res.text);
  }
});
after(async () => {
  await server.close();
  await receiver.close();
});

const keyed = (key: string) => ({ 'Idempotency-Key': key });

describe('Idempotency-Key', () => {
  it('100 concurrent repeats of one SignalEvent queue exactly one event, and all get its answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        call(server.url, 'POST', '/api/v1/Webhook/contact.created/42', {
          body: { FieldValues: { name: 'Acme' } },
          headers: keyed('order-42'),
        }),
      ),
    );
    assert.deepEqual(
      [...new Set(answers.map((a) => `${a.status} ${a.headers.get('x-hookd-deliveries')}`))],
      ['204 2'],
      'every repeat answered as the first: 204, two deliveries',
    );
    assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length, 99);
    await server.deliver();
    assert.deepEqual(
      receiver.received.map((r) => [r.path, JSON.parse(r.body.toString()).PrimaryKey]).sort(),
      [
        ['/one', 42],
        ['/two', 42],
      ],
      'one event, delivered once to each subscriber',
    );
  });

  it('the same key with another body is a 409; other keys and other tenants are independent', async () => {
    const conflict = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/43', { body: {}, headers: keyed('order-42') });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.ErrorCode, 'idempotency_conflict');
    assert.match(conflict.json.ErrorMessage, /order-42/);
    const fresh = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/43', { body: {}, headers: keyed('order-43') });
    assert.deepEqual([fresh.status, fresh.headers.get('idempotent-replayed')], [204, null]);
    const bad = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/44', { body: {}, headers: keyed('has space') });
    assert.equal(bad.status, 400);
    assert.match(bad.json.ErrorMessage, /Idempotency-Key/);
  });

  it('works on the RPC twin and the batch route, and is forgotten after the window', async () => {
    await server.deliver(); // what the test before queued
    const before = receiver.count;
    const rpc = () =>
      call(server.url, 'POST', '/api/v1/Agents/Webhook/SignalEvent', {
        body: { EventName: 'sale.sold', PrimaryKey: 7, Data: {} },
        headers: keyed('rpc-7'),
      });
    assert.equal((await rpc()).headers.get('idempotent-replayed'), null);
    assert.equal((await rpc()).headers.get('idempotent-replayed'), 'true');
    const batch = [
      { EventName: 'sale.sold', PrimaryKey: 8 },
      { EventName: 'sale.sold', PrimaryKey: 9 },
    ];
    const first = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: batch, headers: keyed('batch-1') });
    const again = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: batch, headers: keyed('batch-1') });
    assert.deepEqual(
      [first.headers.get('x-hookd-deliveries'), again.headers.get('x-hookd-deliveries'), again.headers.get('idempotent-replayed')],
      ['2', '2', 'true'],
    );
    await server.deliver();
    assert.equal(receiver.count - before, 3, 'sale 7 once, sales 8 and 9 once (to the one webhook that takes sale.sold)');

    clock.advance(24 * 3_600_000 + 1); // the window has passed: the key is new again
    const later = await rpc();
    assert.deepEqual([later.status, later.headers.get('idempotent-replayed')], [204, null]);
  });
});
