/** One receiver that never answers must not delay delivery to the others. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let healthy: Receiver;
const held: ServerResponse[] = [];
let hanging: ReturnType<typeof createServer>;
let hangingUrl: string;
let maxOpen = 0;

before(async () => {
  healthy = await Receiver.start();
  hanging = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    held.push(res); // never answered
    maxOpen = Math.max(maxOpen, held.filter((r) => !r.writableEnded && !r.destroyed).length);
  });
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hang`;
  server = await startHookd({ attemptTimeoutMs: 20_000, maxInFlightPerWebhook: 4 });
});
after(async () => {
  await server.close();
  hanging.closeAllConnections();
  hanging.close();
  await healthy.close();
});

describe('isolation', () => {
  it('delivers to a healthy receiver while another hangs, and bounds the hanging one to its in-flight limit', async () => {
    // Created Stopped (no save-time ping), then switched on without a URL change.
    const h = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(hangingUrl, { State: 'Stopped', Name: 'hangs' }) });
    assert.equal(h.status, 200);
    await call(server.url, 'PATCH', `/api/v1/Webhook/${h.json.WebhookId}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { State: 'Active' },
    });
    await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${healthy.url}/ok`, { Name: 'healthy' }) });

    const items = Array.from({ length: 200 }, (_, i) => ({ EventName: 'contact.created', PrimaryKey: i + 1 }));
    const res = await call(server.url, 'POST', '/api/v1/Webhook/Events', { body: items });
    assert.equal(res.headers.get('x-hookd-deliveries'), '400');

    await healthy.waitFor(200, 15_000);
    const open = held.filter((r) => !r.writableEnded && !r.destroyed).length;
    assert.equal(open, 4, 'the hanging receiver still holds its 4 requests: none timed out before the healthy deliveries were done');
    assert.equal(maxOpen, 4, 'never more than the per-webhook limit in flight');
    assert.equal(held.length, 4, 'no other attempt started for the hanging webhook');
  });
});
