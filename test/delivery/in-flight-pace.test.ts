/**
 * The in-flight limit a webhook earns (issue 22), at the default settings: a receiver that hangs holds at most 16
 * requests, as before; one that answers quickly gets up to HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK (64) at once.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/settings.js';
import { call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';

const servers: Server[] = [];
let hookd: TestServer | undefined;

/** A receiver that counts requests open at once; `answer` decides what to do with each. */
async function receiver(
  answer: (res: ServerResponse) => void,
): Promise<{ url: string; open: () => number; maxOpen: () => number; count: () => number }> {
  let open = 0;
  let maxOpen = 0;
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    count++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    answer(res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    open: () => open,
    maxOpen: () => maxOpen,
    count: () => count,
  };
}

after(async () => {
  await hookd?.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('the in-flight limit a webhook earns', () => {
  it('is 64 by default; a hanging receiver holds 16, a quick one reaches more than 16 and never more than 64', async () => {
    assert.equal(loadConfig({}).config.maxInFlightPerWebhook, 64);
    hookd = await startHookd({ attemptTimeoutMs: 20_000 });
    const hanging = await receiver(() => undefined); // never answered
    const quick = await receiver((res) => setTimeout(() => res.end('ok'), 3));
    // The hanging one is created Stopped (no save-time ping), then switched on.
    const h = await call(hookd.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(hanging.url, { State: 'Stopped', Name: 'hangs', Events: ['contact.created'] }),
    });
    await call(hookd.url, 'PATCH', `/api/v1/Webhook/${h.json.WebhookId}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { State: 'Active' },
    });
    await call(hookd.url, 'POST', '/api/v1/Webhook', { body: webhookBody(quick.url, { Name: 'quick', Events: ['contact.changed'] }) });

    const hangingEvents = Array.from({ length: 200 }, (_, i) => ({ EventName: 'contact.created', PrimaryKey: i + 1 }));
    assert.equal((await call(hookd.url, 'POST', '/api/v1/Webhook/Events', { body: hangingEvents })).status, 204);
    for (let batch = 0; batch < 6; batch++) {
      const items = Array.from({ length: 500 }, (_, i) => ({ EventName: 'contact.changed', PrimaryKey: batch * 500 + i + 1 }));
      assert.equal((await call(hookd.url, 'POST', '/api/v1/Webhook/Events', { body: items })).status, 204);
    }
    const deadline = Date.now() + 30_000;
    while (quick.count() < 3_001 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(quick.count(), 3_001, 'every quick delivery arrived (and the save-time ping)');
    assert.equal(hanging.open(), 16, 'the hanging receiver holds 16 requests');
    assert.equal(hanging.maxOpen(), 16, 'never more');
    assert.equal(hanging.count(), 16, 'no other attempt started for it');
    assert.ok(quick.maxOpen() > 16, `the quick receiver had ${quick.maxOpen()} requests open at once: it earned more than 16`);
    assert.ok(quick.maxOpen() <= 64, `the quick receiver had ${quick.maxOpen()} requests open at once: at most 64`);
  });
});
