/**
 * Issue 20, findings 2 and 8: payload filters over the API. Regular expressions run on RE2 (linear time) or are
 * refused with a 400 — the reproductions took 19–36 s on a backtracking engine and stalled every caller, so
 * a regression times this file out; field reads are own-property reads, and Filter/Test always answers JSON.
 * Stored filters on the signal path too, on the test store (SQLite, or PostgreSQL with HOOKD_TEST_STORE=postgres).
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

/** The pattern: 36 s on 30 characters with `$options: "i"` before. */
const BOMB = { $regex: 'a*a*a*a*a*a*a*a*a*a*b', $options: 'i' };
const LONG = 'a'.repeat(100_000);

async function filterTest(body: unknown): Promise<{ status: number; text: string; json: any }> {
  return call(server.url, 'POST', '/api/v1/Webhook/Filter/Test', { body });
}

describe('filter regular expressions run in linear time (finding 2)', () => {
  it('Filter/Test with the issue’s pattern answers at once, right, on 30 characters and on 100 KB', async () => {
    for (const text of ['a'.repeat(30), LONG]) {
      const miss = await filterTest({ Filter: { Entity: BOMB }, Payload: { Entity: text } });
      assert.equal(miss.status, 200, miss.text.slice(0, 300));
      assert.equal(miss.json.Matches, false);
    }
    const hit = await filterTest({ Filter: { Entity: BOMB }, Payload: { Entity: `${LONG}B` } });
    assert.deepEqual(hit.json, { Matches: true, Failed: [] });
  });

  it('nested quantifiers that used to be refused run too: (a|aa)+$ on 100 KB', async () => {
    const res = await filterTest({ Filter: { Entity: { $regex: '^(a|aa)+$' } }, Payload: { Entity: `${LONG}!` } });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.json.Matches, false);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['a backreference', '(a)\\1', /RE2 syntax, without backreferences or lookarounds/],
    ['a lookahead', 'a(?=b)', /RE2 syntax, without backreferences or lookarounds/],
    ['the issue’s large bounded repeats (19 s on 200 characters before)', 'a{0,60}a{0,60}a{0,60}a{0,60}b', /at most 12 times/],
    ['a program too large', '[a-z]{12}'.repeat(10), /too large once compiled/],
  ];
  for (const [what, regex, rule] of refused) {
    it(`refuses ${what} with a 400 naming Filter.Entity.$regex`, async () => {
      const res = await filterTest({ Filter: { Entity: { $regex: regex } }, Payload: { Entity: 'ab' } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.ErrorCode, 'invalid_field');
      assert.ok(res.text.includes('Filter.Entity.$regex'), res.text);
      assert.match(res.text, rule);
      const stored = await call(server.url, 'POST', '/api/v1/Webhook', {
        body: webhookBody(`${receiver.url}/x`, { Filter: { Entity: { $regex: regex } } }),
      });
      assert.equal(stored.status, 400, stored.text);
    });
  }

  it('a stored filter with the pattern: a 100 KB signal completes, is not queued; a matching one is delivered', async () => {
    const hook = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/regex`, { Events: ['sale.changed'], Filter: { 'FieldValues.text': BOMB } }),
    });
    assert.equal(hook.status, 200, hook.text);
    receiver.received.length = 0;
    const miss = await call(server.url, 'POST', '/api/v1/Webhook/sale.changed/1', { body: { text: LONG } });
    assert.equal(miss.status, 204, miss.text);
    assert.equal(miss.headers.get('x-hookd-deliveries'), '0');
    const health = await call(server.url, 'GET', '/healthz', { auth: null });
    assert.equal(health.status, 200, 'the event loop is free');
    const hit = await call(server.url, 'POST', '/api/v1/Webhook/sale.changed/2', { body: { text: 'aaab' } });
    assert.equal(hit.status, 204, hit.text);
    assert.equal(hit.headers.get('x-hookd-deliveries'), '1');
    await server.deliver();
    assert.equal(receiver.count, 1);
    assert.equal(receiver.json(0).PrimaryKey, 2);
  });
});

describe('filters read only what the payload has (finding 8)', () => {
  it('{"constructor.name":"Object"} does not match an empty payload', async () => {
    const res = await filterTest({ Filter: { 'constructor.name': 'Object' }, Payload: {} });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.Matches, false);
  });

  it('{"toString":{"$exists":true}} answers valid JSON, the value absent (null)', async () => {
    const res = await filterTest({ Filter: { toString: { $exists: true } }, Payload: {} });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { Matches: false, Failed: [{ Condition: { toString: { $exists: true } }, Value: null }] });
  });

  it('a stored filter reaching a throwing getter (Entity.constructor.caller) does not break signals', async () => {
    const hook = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/caller`, {
        Events: ['quote.changed'],
        Filter: { 'Entity.constructor.caller': { $exists: false } },
      }),
    });
    assert.equal(hook.status, 200, hook.text);
    const res = await call(server.url, 'POST', '/api/v1/Webhook/quote.changed/1', { body: {} });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.headers.get('x-hookd-deliveries'), '1', 'nothing there: $exists false holds');
  });

  it('JSON nested 5,000 deep in Filter/Test or SignalEvent is never a 5xx', async () => {
    const deep = `${'{"x":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const test = await filterTest(`{"Filter":{"FieldValues.x":1},"Payload":{"FieldValues":${deep}}}`);
    assert.ok(test.status < 500, `${test.status} ${test.text.slice(0, 200)}`);
    const signal = await call(server.url, 'POST', '/api/v1/Webhook/sale.changed/9', { body: `{"d":${deep}}` });
    assert.ok(signal.status < 500, `${signal.status} ${signal.text.slice(0, 200)}`);
  });
});
