/** HOOKD_SIGNATURE_SCHEMES: Standard Webhooks signatures, checked with the `standardwebhooks` package as an independent verifier. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config/settings.js';
import { verifySignature } from '../../src/signing/netserver.js';
import { type TestServer, call, startHookd, waitUntil, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const SECRET = 'hémlig nyckel';
/** standardwebhooks takes the key as base64; hookd keys with the Secret's UTF-8 bytes. */
const verifier = new Webhook(Buffer.from(SECRET, 'utf8').toString('base64'));

describe('Standard Webhooks signatures', () => {
  let receiver: Receiver;
  let both: TestServer;
  let standardOnly: TestServer;
  before(async () => {
    receiver = await Receiver.start();
    both = await startHookd({ signatureSchemes: ['netserver', 'standard'] });
    standardOnly = await startHookd({ signatureSchemes: ['standard'] });
  });
  after(async () => {
    await both.close();
    await standardOnly.close();
    await receiver.close();
  });

  it('are sent beside the NetServer signature, with webhook-id = EventId, and verify independently', async () => {
    await call(both.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/both`, { Secret: SECRET }) });
    await call(both.url, 'POST', '/api/v1/Webhook/contact.created/1', { body: {} });
    await waitUntil(() => receiver.received.some((r) => r.path === '/both'), 5000, 'the delivery');
    const got = receiver.received.find((r) => r.path === '/both')!;
    const payload = verifier.verify(got.body.toString('utf8'), got.headers as Record<string, string>) as { EventId: string };
    assert.equal(payload.EventId, got.headers['x-superoffice-eventid']);
    assert.equal(got.headers['webhook-id'], payload.EventId);
    assert.ok(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
    assert.match(got.headers['webhook-signature'] as string, /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.equal(verifySignature(got.body, got.headers['x-superoffice-signature'] as string, SECRET), true);
    assert.throws(() => verifier.verify(`${got.body.toString('utf8')} `, got.headers as Record<string, string>), 'a changed body fails');
  });

  it('can replace the NetServer signature, and are absent without a secret', async () => {
    await call(standardOnly.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/std`, { Secret: SECRET, Events: ['sale.sold'] }),
    });
    await call(standardOnly.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/nosecret`, { Secret: null, Events: ['sale.sold'] }),
    });
    await call(standardOnly.url, 'POST', '/api/v1/Webhook/sale.sold/2', { body: {} });
    await waitUntil(
      () => receiver.received.some((r) => r.path === '/std') && receiver.received.some((r) => r.path === '/nosecret'),
      5000,
      'deliveries',
    );
    const std = receiver.received.find((r) => r.path === '/std')!;
    assert.equal(std.headers['x-superoffice-signature'], undefined);
    assert.ok(verifier.verify(std.body.toString('utf8'), std.headers as Record<string, string>));
    const plain = receiver.received.find((r) => r.path === '/nosecret')!;
    assert.deepEqual([plain.headers['webhook-signature'], plain.headers['x-superoffice-signature']], [undefined, undefined]);
  });

  it('refuses an unknown scheme at start', () => {
    assert.match(
      loadConfig({ HOOKD_SIGNATURE_SCHEMES: 'netserver,hmac-md5' }).errors.join(),
      /HOOKD_SIGNATURE_SCHEMES must be netserver, standard/,
    );
  });
});
