/**
 * Retry-After: a 429 or 503 answer that names a pause stops that webhook until then and repeats the same attempt;
 * the pause neither advances the retry cycle nor counts toward ConsecutiveErrors; other webhooks go on. The test
 * clock makes "not before 2 s" exact. HOOKD_RETRY_AFTER=off restores NetServer's plain failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { type Received, Receiver } from '../helpers/receiver.js';

let receiver: Receiver;
/** Per path: the answers still to give, first first; then 200. */
const script = new Map<string, Array<{ status: number; retryAfter?: string }>>();

before(async () => {
  receiver = await Receiver.start((req, res) => {
    const next = script.get(req.path)?.shift();
    res.statusCode = next?.status ?? 200;
    if (next?.retryAfter !== undefined) res.setHeader('Retry-After', next.retryAfter);
    res.end(next ? 'slow down' : 'ok');
  });
});
after(async () => receiver.close());

const at = (path: string): Received[] => receiver.received.filter((r) => r.path === path);

async function hook(server: TestServer, path: string, overrides: Record<string, unknown> = {}): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}${path}`, overrides) });
  assert.equal(res.status, 200, res.text);
  return res.json.WebhookId as number;
}
const get = async (server: TestServer, id: number) => (await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json;

describe('Retry-After', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startHookd({}, { clock });
  });
  after(async () => server.close());

  it('a 429 with Retry-After: 2 pauses only that webhook for 2 s, repeats the attempt, and counts no error', async () => {
    const slow = await hook(server, '/slow', { Events: ['sale.sold'] });
    const other = await hook(server, '/other', { Events: ['sale.sold'] });
    script.set('/slow', [{ status: 429, retryAfter: '2' }]);
    for (let pk = 1; pk <= 3; pk++) await call(server.url, 'POST', `/api/v1/Webhook/sale.sold/${pk}`, { body: {} });
    await server.deliver();
    assert.equal(at('/other').length, 3, 'the other webhook is not slowed');
    // The in-flight limit let several start together; after the 429 nothing more starts.
    const first = at('/slow').length;
    assert.ok(first >= 1);
    clock.advance(1999);
    await server.deliver();
    assert.equal(at('/slow').length, first, 'nothing before the 2 s are up');
    clock.advance(1);
    await server.deliver();
    const slowed = at('/slow');
    assert.equal(new Set(slowed.map((r) => JSON.parse(r.body.toString()).PrimaryKey)).size, 3, 'all three delivered');
    assert.equal(slowed.length, 4, 'three events, one of them twice');
    const throttled = slowed[0] as Received;
    const repeat = slowed.filter((r) => r.headers['x-superoffice-eventid'] === throttled.headers['x-superoffice-eventid']);
    assert.deepEqual(
      repeat.map((r) => r.headers['x-superoffice-retry']),
      ['0', '0'],
      'the same attempt again: same EventId, same X-SuperOffice-Retry (the cycle did not advance)',
    );
    const w = await get(server, slow);
    assert.deepEqual([w.TotalCalls, w.TotalErrors, w.ConsecutiveErrors, w.LastError, w.State], [4, 0, 0, '', 'Active']);
    const log = await call(server.url, 'GET', `/api/v1/Webhook/${slow}/Deliveries`);
    const attempts = (log.json.Items as any[]).flatMap((d) => d.Attempts.map((a: any) => [a.StatusCode, a.Outcome]));
    assert.deepEqual(
      attempts.filter(([, o]) => o === 'throttled'),
      [[429, 'throttled']],
      'the paused attempt is logged with its answer',
    );
    assert.equal((await get(server, other)).TotalCalls, 3);
  });

  it('an HTTP date works as well, a 503 too; 9 pauses in a row never switch it off', async () => {
    const id = await hook(server, '/dated', { Events: ['contact.deleted'] });
    const inThree = new Date(clock.now() + 3000).toUTCString();
    script.set('/dated', [{ status: 503, retryAfter: inThree }, ...Array.from({ length: 9 }, () => ({ status: 429, retryAfter: '1' }))]);
    await call(server.url, 'POST', '/api/v1/Webhook/contact.deleted/1', { body: {} });
    await server.deliver();
    assert.equal(at('/dated').length, 1);
    clock.advance(2000);
    await server.deliver();
    assert.equal(at('/dated').length, 1, 'the date is 3 s away');
    clock.advance(1000);
    await server.deliver();
    for (let i = 0; i < 9; i++) {
      clock.advance(1000);
      await server.deliver();
    }
    assert.equal(at('/dated').length, 11, '1 + 9 pauses + the success');
    const w = await get(server, id);
    assert.deepEqual([w.State, w.ConsecutiveErrors, w.TotalErrors], ['Active', 0, 0], 'ten pauses are not nine errors');
  });

  it('Retry-After on another status, or one that does not parse, is a plain failure', async () => {
    const id = await hook(server, '/plain', { Events: ['person.created'] });
    script.set('/plain', [
      { status: 500, retryAfter: '1' },
      { status: 429, retryAfter: 'soon' },
    ]);
    await call(server.url, 'POST', '/api/v1/Webhook/person.created/1', { body: {} });
    await server.deliver();
    clock.advance(1000);
    await server.deliver();
    clock.advance(4000);
    await server.deliver();
    assert.deepEqual(
      at('/plain').map((r) => r.headers['x-superoffice-retry']),
      ['0', '1', '2'],
      "NetServer's cycle: 1 s, then 4 s",
    );
    const w = await get(server, id);
    assert.deepEqual([w.TotalErrors, w.ConsecutiveErrors], [2, 0]);
  });
});

describe('HOOKD_RETRY_AFTER=off', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startHookd({ retryAfter: 'off' }, { clock });
  });
  after(async () => server.close());

  it("treats a 429 with Retry-After as NetServer does: a failure, retried after the cycle's 1 s", async () => {
    const id = await hook(server, '/off', { Events: ['project.created'] });
    script.set('/off', [{ status: 429, retryAfter: '60' }]);
    await call(server.url, 'POST', '/api/v1/Webhook/project.created/1', { body: {} });
    await server.deliver();
    clock.advance(1000);
    await server.deliver();
    assert.deepEqual(
      at('/off').map((r) => r.headers['x-superoffice-retry']),
      ['0', '1'],
    );
    const w = await get(server, id);
    assert.deepEqual([w.TotalErrors, w.ConsecutiveErrors], [1, 0]);
  });
});

describe('HOOKD_RETRY_AFTER_MAX_SECONDS', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startHookd({ retryAfterMaxSeconds: 5 }, { clock });
  });
  after(async () => server.close());

  it('cuts a longer pause to the cap', async () => {
    await hook(server, '/capped', { Events: ['ticket.created'] });
    script.set('/capped', [{ status: 429, retryAfter: '86400' }]);
    await call(server.url, 'POST', '/api/v1/Webhook/ticket.created/1', { body: {} });
    await server.deliver();
    clock.advance(4999);
    await server.deliver();
    assert.equal(at('/capped').length, 1, 'paused');
    clock.advance(1);
    await server.deliver();
    assert.equal(at('/capped').length, 2, 'a day asked for, five seconds given');
  });
});

describe('Retry-After floor and bound (issue 20, finding 4)', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startHookd({ retryAfterMaxThrottledSeconds: 30 }, { clock });
  });
  after(async () => server.close());

  it("Retry-After: 0 or a date in the past waits the cycle's first delay (1 s), not nothing", async () => {
    const id = await hook(server, '/zero', { Events: ['sale.created'] });
    const past = new Date(clock.now() - 60_000).toUTCString();
    script.set('/zero', [
      { status: 429, retryAfter: '0' },
      { status: 503, retryAfter: past },
      { status: 429, retryAfter: '0' },
    ]);
    await call(server.url, 'POST', '/api/v1/Webhook/sale.created/1', { body: {} });
    await server.deliver();
    assert.equal(at('/zero').length, 1, 'one attempt at this instant, not a loop (24,415 in 10 s before the floor)');
    clock.advance(999);
    await server.deliver();
    assert.equal(at('/zero').length, 1, 'nothing before the floor');
    for (let i = 0; i < 3; i++) {
      clock.advance(i === 0 ? 1 : 1000);
      await server.deliver();
      assert.equal(at('/zero').length, 2 + i, 'one attempt a second');
    }
    const w = await get(server, id);
    assert.deepEqual([w.TotalCalls, w.TotalErrors, w.ConsecutiveErrors, w.State], [4, 0, 0, 'Active'], 'pauses are still not errors');
  });

  it('a webhook throttled without a success for longer than the bound counts each throttled answer as a failure, and is switched off', async () => {
    const id = await hook(server, '/forever', { Events: ['sale.deleted'] });
    script.set(
      '/forever',
      Array.from({ length: 100 }, () => ({ status: 429, retryAfter: '10' })),
    );
    await call(server.url, 'POST', '/api/v1/Webhook/sale.deleted/1', { body: {} });
    await server.deliver();
    for (let s = 0; s < 29; s++) {
      clock.advance(1000);
      await server.deliver();
    }
    assert.equal(at('/forever').length, 3, 'three pauses of 10 s within the 30 s bound');
    let w = await get(server, id);
    assert.deepEqual([w.TotalErrors, w.ConsecutiveErrors, w.State], [0, 0, 'Active'], 'within the bound, pauses count no error');
    for (let s = 0; s < 120; s++) {
      clock.advance(1000);
      await server.deliver();
    }
    w = await get(server, id);
    assert.deepEqual(
      [w.State, w.TotalCalls, w.TotalErrors, w.ConsecutiveErrors],
      ['TooManyErrors', 12, 9, 9],
      'past the bound: nine failed attempts (three cycles) switch it off, like any failing receiver',
    );
    assert.match(w.LastError, /throttled for more than 30 s/);
    assert.match(w.LastError, /429/);
    assert.equal(at('/forever').length, 12, 'and nothing is sent after that');
    const log = await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`);
    const outcomes = (log.json.Items as any[]).flatMap((d) => d.Attempts.map((a: any) => a.Outcome));
    assert.deepEqual(
      [outcomes.filter((o) => o === 'throttled').length, outcomes.filter((o) => o === 'failure').length],
      [3, 9],
      'the log shows the three pauses and the nine failures',
    );
  });
});
