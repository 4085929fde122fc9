/**
 * Custom event names (issue 23, decisions.md "event names"): any name NetServer accepts is accepted by webhook
 * Events, SignalEvent (REST and RPC) and the batch route; the catalogue only suggests. Real HTTP on loopback,
 * on the store the run names (SQLite, or PostgreSQL with HOOKD_TEST_STORE=postgres).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({}, { clock: new TestClock() });
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function create(events: string[]): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/hook`, { Events: events }) });
  assert.equal(res.status, 200, res.text);
  return res.json.WebhookId as number;
}

describe('custom event names', () => {
  it("answers the REST reference's SignalEvent sample (EventName 'Goyette, Kautzer and Kuhn') with 204, over RPC and REST", async () => {
    const rpc = await call(server.url, 'POST', '/api/v1/Agents/Webhook/SignalEvent', {
      body: { EventName: 'Goyette, Kautzer and Kuhn', PrimaryKey: 246, Data: { windowName: 'foo', widgets: 123 } },
    });
    assert.equal(rpc.status, 204, rpc.text);
    const rest = await call(server.url, 'POST', `/api/v1/Webhook/${encodeURIComponent('Goyette, Kautzer and Kuhn')}/246`, {
      body: { windowName: 'foo' },
    });
    assert.equal(rest.status, 204, rest.text);
  });

  it('delivers a custom name to the webhook subscribed to it, exactly as signalled, and to * ', async () => {
    const custom = await create(['Invoice Paid', 'invoice']);
    const all = await create(['*']);
    await create(['invoice paid']); // matching is exact: another case is another name
    receiver.received.length = 0;
    const res = await call(server.url, 'POST', `/api/v1/Webhook/${encodeURIComponent('Invoice Paid')}/7`, { body: { amount: 12 } });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.headers.get('x-hookd-deliveries'), '2');
    const batch = await call(server.url, 'POST', '/api/v1/Webhook/Events', {
      body: [
        { EventName: 'invoice', PrimaryKey: 8 },
        { EventName: 'Goyette, Kautzer and Kuhn', PrimaryKey: 9 },
      ],
    });
    assert.equal(batch.status, 204, batch.text);
    assert.equal(batch.headers.get('x-hookd-deliveries'), '3', 'invoice: custom and *; the comma name: * only');
    await server.deliver();
    const got = receiver.received.map((r) => [
      r.headers['x-superoffice-event'],
      JSON.parse(r.body.toString()).Event,
      JSON.parse(r.body.toString()).Entity,
    ]);
    assert.equal(got.length, 5);
    assert.ok(got.some(([h, e, entity]) => h === 'Invoice Paid' && e === 'Invoice Paid' && entity === 'Invoice Paid'));
    assert.ok(got.some(([h]) => h === 'Goyette, Kautzer and Kuhn'));
    const stats = await call(server.url, 'GET', `/api/v1/Webhook/${custom}`);
    assert.deepEqual(stats.json.Events, ['Invoice Paid', 'invoice']);
    assert.ok(all > custom);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['a wildcard', 'contact.*', /wildcard/],
    ['a line break', 'a.b\r\nX-Evil: 1', /printable ASCII/],
    ['a name past ASCII', 'ordre.fullført', /printable ASCII/],
    ['256 characters', 'e'.repeat(256), /at most 255/],
  ];
  for (const [what, name, rule] of refused) {
    it(`refuses to signal ${what} with a 400 naming EventName, on every route`, async () => {
      const rpc = await call(server.url, 'POST', '/api/v1/Agents/Webhook/SignalEvent', { body: { EventName: name, PrimaryKey: 1 } });
      const batch = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: [{ EventName: name, PrimaryKey: 1 }] });
      for (const res of [rpc, batch]) {
        assert.equal(res.status, 400, res.text);
        assert.equal(res.json.ErrorCode, 'invalid_field');
        assert.ok(
          res.json.Errors.some((e: any) => /EventName$/.test(e.Property) && rule.test(e.Rule)),
          res.text,
        );
      }
      if (!/[\r\n]/.test(name)) {
        const rest = await call(server.url, 'POST', `/api/v1/Webhook/${encodeURIComponent(name)}/1`, { body: {} });
        assert.equal(rest.status, 400, rest.text);
      }
    });
  }

  it('refuses a subscription with a comma or a wildcard inside, and keeps nothing', async () => {
    for (const events of [['Goyette, Kautzer and Kuhn'], ['con*.created']]) {
      const res = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/hook`, { Events: events }) });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.Errors[0].Property, 'Events');
    }
    // A NUL is refused before any route, in every body (input-guard.ts), naming where it is.
    const nul = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/hook`, { Events: ['a\u0000b'] }) });
    assert.equal(nul.status, 400, nul.text);
    assert.equal(nul.json.ErrorCode, 'invalid_field');
    assert.match(nul.json.ErrorMessage, /^\$\.Events\[0\]: /);
  });
});
