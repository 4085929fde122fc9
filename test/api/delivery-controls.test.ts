/**
 * The delivery controls as the registry shows them (MaxPerSecond, Ordering, Filter, SecretRotation): present
 * only when set, kept by a carrier that does not name them, refused with the property at fault; and payload
 * filters on the signal path — a non-matching event is not queued for that webhook (single, batch, both stores).
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
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function create(overrides: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/hook`, overrides) });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

describe('delivery controls in the registry', () => {
  it('a webhook that sets none shows none of them: the carrier a NetServer client always saw', async () => {
    const w = await create({});
    for (const name of ['MaxPerSecond', 'Ordering', 'Filter', 'SecretRotation']) assert.equal(name in w, false, name);
  });

  it('are shown when set, kept by a PUT that does not name them, and cleared by null', async () => {
    const filter = { 'FieldValues.amount': { $gt: 100 } };
    const w = await create({ MaxPerSecond: 2.5, Ordering: 'strict', Filter: filter });
    assert.deepEqual([w.MaxPerSecond, w.Ordering, w.Filter], [2.5, 'Strict', filter]);
    const { MaxPerSecond: _m, Ordering: _o, Filter: _f, ...plain } = w;
    const put = await call(server.url, 'PUT', `/api/v1/Webhook/${w.WebhookId}`, { body: { ...plain, Name: 'renamed' } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual([put.json.Name, put.json.MaxPerSecond, put.json.Ordering, put.json.Filter], ['renamed', 2.5, 'Strict', filter]);
    const cleared = await call(server.url, 'PATCH', `/api/v1/Webhook/${w.WebhookId}`, {
      body: { MaxPerSecond: null, Ordering: 'None', Filter: null },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    assert.equal(cleared.status, 200, cleared.text);
    for (const name of ['MaxPerSecond', 'Ordering', 'Filter']) assert.equal(name in cleared.json, false, name);
  });

  it('XML carries them too, the filter as JSON text', async () => {
    const w = await create({ MaxPerSecond: 10, Filter: { Entity: 'sale' } });
    const res = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`, { headers: { Accept: 'application/xml' } });
    assert.match(res.text, /<MaxPerSecond>10<\/MaxPerSecond>/);
    assert.match(res.text, /<Filter>/);
  });

  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['MaxPerSecond below the range', { MaxPerSecond: -1 }, 'MaxPerSecond'],
    ['MaxPerSecond above the range', { MaxPerSecond: 1e6 }, 'MaxPerSecond'],
    ['MaxPerSecond not a number', { MaxPerSecond: 'fast' }, 'MaxPerSecond'],
    ['an unknown Ordering', { Ordering: 'Fifo' }, 'Ordering'],
    ['a Filter with an unknown operator', { Filter: { Entity: { $like: 'sa%' } } }, 'Filter.Entity.$like'],
    ['a Filter with $where', { Filter: { $where: 'true' } }, 'Filter.$where'],
    [
      'a Filter with a regex RE2 cannot run (a lookahead)',
      { Filter: { 'FieldValues.name': { $regex: 'a(?=b)' } } },
      'Filter.FieldValues.name.$regex',
    ],
    ['a Filter that is not JSON', { Filter: '{Entity: sale' }, 'Filter'],
  ];
  for (const [what, body, property] of refused) {
    it(`refuses ${what} with a 400 naming ${property}`, async () => {
      const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/x`, body) });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.ErrorCode, 'invalid_field');
      assert.ok(res.text.includes(property), res.text);
    });
  }
});

describe('Filter/Test', () => {
  it('says whether a filter matches a sample payload, and which conditions missed with the values there', async () => {
    const payload = { Event: 'sale.changed', FieldValues: { amount: 50, stage: 'Won' } };
    const hit = await call(server.url, 'POST', '/api/v1/Webhook/Filter/Test', {
      body: { Filter: { 'FieldValues.stage': 'Won' }, Payload: payload },
    });
    assert.equal(hit.status, 200, hit.text);
    assert.deepEqual(hit.json, { Matches: true, Failed: [] });
    const miss = await call(server.url, 'POST', '/api/v1/Webhook/Filter/Test', {
      body: { Filter: { 'FieldValues.stage': 'Won', 'FieldValues.amount': { $gte: 100 } }, Payload: payload },
    });
    assert.deepEqual(miss.json, { Matches: false, Failed: [{ Condition: { 'FieldValues.amount': { $gte: 100 } }, Value: 50 }] });
  });

  it('a malformed filter is a 400 naming the operator at fault', async () => {
    const res = await call(server.url, 'POST', '/api/v1/Webhook/Filter/Test', {
      body: { Filter: { $or: [{ Entity: { $regexp: 'x' } }] }, Payload: {} },
    });
    assert.equal(res.status, 400, res.text);
    assert.ok(res.text.includes('Filter.$or[0].Entity.$regexp'), res.text);
  });
});

describe('payload filters on the signal path', () => {
  it('queue an event only for the webhooks whose filter it matches (SignalEvent and the batch route)', async () => {
    const big = await create({ Events: ['sale.changed'], Filter: { 'FieldValues.amount': { $gte: 1000 } } });
    const won = await create({ Events: ['sale.changed'], Filter: { $or: [{ 'FieldValues.stage': 'Won' }, { Changes: 'stage' }] } });
    const all = await create({ Events: ['sale.changed'] });
    receiver.received.length = 0;
    const signal = async (pk: number, data: Record<string, unknown>) => {
      const res = await call(server.url, 'POST', `/api/v1/Webhook/sale.changed/${pk}`, { body: data });
      assert.equal(res.status, 204, res.text);
      return Number(res.headers.get('x-hookd-deliveries'));
    };
    assert.equal(await signal(1, { amount: 5000, stage: 'Open' }), 2, 'big and all');
    assert.equal(await signal(2, { amount: 10, stage: 'Won' }), 2, 'won and all');
    assert.equal(await signal(3, { amount: 10, stage: 'Open' }), 1, 'all only');
    const batch = await call(server.url, 'POST', '/api/v1/Webhook/Events', {
      body: [
        { EventName: 'sale.changed', PrimaryKey: 4, Data: { amount: 2000, Changes: ['stage'] } },
        { EventName: 'sale.changed', PrimaryKey: 5, Data: { amount: 1 } },
      ],
    });
    assert.equal(batch.status, 204, batch.text);
    assert.equal(batch.headers.get('x-hookd-deliveries'), '4', '3 + 1');
    await server.deliver();
    assert.equal(receiver.count, 9, 'each queued delivery sent once');
    assert.deepEqual(await deliveredTo(big.WebhookId), [1, 4]);
    assert.deepEqual(await deliveredTo(won.WebhookId), [2, 4]);
    assert.deepEqual(await deliveredTo(all.WebhookId), [1, 2, 3, 4, 5]);
  });
});

/** The primary keys a webhook's delivery log holds, oldest first. */
async function deliveredTo(id: number): Promise<number[]> {
  const res = await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`);
  assert.equal(res.status, 200, res.text);
  const items = res.json.Items as Array<{ PrimaryKey: number; Status: string }>;
  assert.ok(items.every((d) => d.Status === 'delivered'));
  return items.map((d) => d.PrimaryKey).reverse();
}
