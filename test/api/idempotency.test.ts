/**
 * Idempotent ingestion: an Idempotency-Key on SignalEvent (REST and RPC) and the batch route. 100 concurrent
 * repeats of one request queue exactly one event; a repeat gets the first answer; another body is a 409.
 * Keys belong to a tenant and application (SO-AppToken), and a request is known by its normalised events, so
 * one event sent over RPC and then REST with one key is one event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { TEST_STORE } from '../helpers/stores.js';

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

describe('Idempotency-Key scope (issue 20, finding 7)', () => {
  const app = (token: string, key: string) => ({ 'SO-AppToken': token, ...keyed(key) });

  it("another application's key is not a repeat: B's event is stored and delivered", async () => {
    await server.deliver();
    const before = receiver.count;
    const send = (token: string) =>
      call(server.url, 'POST', '/api/v1/Webhook/contact.created/77', {
        body: { FieldValues: { name: 'Acme' } },
        headers: app(token, 'shared-77'),
      });
    const a = await send('app-A-token');
    const b = await send('app-B-token');
    assert.deepEqual([a.status, a.headers.get('idempotent-replayed')], [204, null]);
    assert.deepEqual([b.status, b.headers.get('idempotent-replayed'), b.headers.get('x-hookd-deliveries')], [204, null, '2']);
    const aAgain = await send('app-A-token');
    assert.equal(aAgain.headers.get('idempotent-replayed'), 'true', "A's own repeat is still a repeat");
    const plain = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/77', {
      body: { FieldValues: { name: 'Acme' } },
      headers: keyed('shared-77'),
    });
    assert.equal(plain.headers.get('idempotent-replayed'), null, 'a caller without SO-AppToken is a scope of its own');
    await server.deliver();
    assert.equal(receiver.count - before, 6, "A's, B's and the plain caller's event, each to both subscribers");
    if (TEST_STORE === 'sqlite') {
      // The application is stored as its token's SHA-256, like API tokens: the table never holds an SO-AppToken.
      const db = new Database(join(server.dataDir, 'hookd.db'), { readonly: true });
      const scopes = db.prepare("SELECT DISTINCT app_scope FROM idempotency_keys WHERE key = 'shared-77'").pluck().all() as string[];
      db.close();
      const sha = (t: string) => createHash('sha256').update(t).digest('hex');
      assert.deepEqual(scopes.sort(), ['', sha('app-A-token'), sha('app-B-token')].sort());
    }
  });

  it('one event over RPC then REST with one key is one event: the second answer is replayed', async () => {
    await server.deliver();
    const before = receiver.count;
    const rpc = await call(server.url, 'POST', '/api/v1/Agents/Webhook/SignalEvent', {
      body: { EventName: 'contact.created', PrimaryKey: 88, Data: { FieldValues: { name: 'Acme' } } },
      headers: app('app-A-token', 'both-88'),
    });
    assert.deepEqual([rpc.status, rpc.headers.get('idempotent-replayed'), rpc.headers.get('x-hookd-deliveries')], [204, null, '2']);
    // The path's "88" is text, the data's field sits at the top level: the same event once normalised.
    const rest = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/88', {
      body: { name: 'Acme' },
      headers: app('app-A-token', 'both-88'),
    });
    assert.deepEqual([rest.status, rest.headers.get('idempotent-replayed'), rest.headers.get('x-hookd-deliveries')], [204, 'true', '2']);
    const other = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/89', {
      body: { name: 'Acme' },
      headers: app('app-A-token', 'both-88'),
    });
    assert.equal(other.status, 409, 'another event with the key is still a conflict');
    await server.deliver();
    assert.equal(receiver.count - before, 2, 'one event, delivered once to each subscriber');
  });
});
