/**
 * Secret rotation with overlap. Two receivers check every delivery with their own current secret: one with the
 * `standardwebhooks` package, one with NetServer's X-SuperOffice-Signature. Each switches from the old secret
 * to the new one during the rotation, and neither ever rejects a delivery: Standard Webhooks signatures carry
 * both secrets through the grace period; NetServer's keeps the old one until a test ping signed with the new
 * one succeeds (Secret/Confirm). After the grace period only the new secret signs. The previous secret is
 * sealed at rest like the current one.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { verifySignature } from '../../src/signing/netserver.js';
import { call, startHookd, type TestServer, waitUntil, webhookBody } from '../helpers/harness.js';

const OLD = 'old-secret-of-the-receiver';
const NEW = 'new-secret-0123456789abcdef';

/** A receiver that verifies with the secret it holds now; 401 for a signature it cannot verify. */
interface Verifying {
  secret: string;
  accepted: number;
  rejected: Array<{ path: string; ping: boolean }>;
  signatures: string[];
  /** The last request's body and headers, to check after the fact with either secret. */
  last: { body: Buffer; headers: Record<string, string> } | null;
}

const standard: Verifying = { secret: OLD, accepted: 0, rejected: [], signatures: [], last: null };
const netserver: Verifying = { secret: OLD, accepted: 0, rejected: [], signatures: [], last: null };
let server: Server;
let receiverUrl: string;

function verify(req: IncomingMessage, body: Buffer): boolean {
  const who = req.url === '/std' ? standard : netserver;
  let ok: boolean;
  if (who === standard) {
    try {
      new Webhook(Buffer.from(who.secret, 'utf8').toString('base64')).verify(body.toString('utf8'), req.headers as Record<string, string>);
      ok = true;
    } catch {
      ok = false;
    }
    who.signatures.push(req.headers['webhook-signature'] as string);
  } else {
    ok = verifySignature(body, req.headers['x-superoffice-signature'] as string, who.secret);
    who.signatures.push(req.headers['x-superoffice-signature'] as string);
  }
  if (req.headers['x-hook-test'] !== 'true') {
    seen++;
    who.last = { body, headers: req.headers as Record<string, string> };
  }
  if (ok) who.accepted++;
  else who.rejected.push({ path: req.url ?? '', ping: req.headers['x-hook-test'] === 'true' });
  return ok;
}

// Real time: the standardwebhooks package checks webhook-timestamp against the real clock (5 minutes' tolerance).
let hookd: TestServer;
/** Deliveries (pings excluded) each receiver has seen. */
let seen = 0;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.statusCode = verify(req, Buffer.concat(chunks)) ? 200 : 401;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hookd = await startHookd({ signatureSchemes: ['netserver', 'standard'] });
});
after(async () => {
  await hookd.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Signals one event to both webhooks and waits for both deliveries. */
async function signalAndDeliver(pk: number): Promise<void> {
  const before = seen;
  const res = await call(hookd.url, 'POST', `/api/v1/Webhook/sale.sold/${pk}`, { body: {} });
  assert.equal(res.status, 204);
  await waitUntil(() => seen === before + 2, 5000, `event ${pk} at both receivers`);
}

describe('Secret/Rotate', () => {
  it('every delivery verifies at both receivers while each moves from the old secret to the new', async () => {
    const ids: number[] = [];
    for (const path of ['/std', '/ns']) {
      const res = await call(hookd.url, 'POST', '/api/v1/Webhook', {
        body: webhookBody(`${receiverUrl}${path}`, { Events: ['sale.sold'], Secret: OLD }),
      });
      assert.equal(res.status, 200, res.text);
      ids.push(res.json.WebhookId);
    }
    await signalAndDeliver(1);

    // Rotate both: the new secret signs from now, the old beside it for the grace period (here 3.6 s, to wait it out).
    let expires = 0;
    for (const id of ids) {
      const before = Date.now();
      const rotated = await call(hookd.url, 'POST', `/api/v1/Webhook/${id}/Secret/Rotate`, {
        body: { Secret: NEW, GracePeriodHours: 0.001 },
      });
      assert.equal(rotated.status, 200, rotated.text);
      assert.equal(rotated.json.Secret, NEW);
      assert.equal(rotated.json.SecretRotation.Confirmed, false);
      expires = Date.parse(rotated.json.SecretRotation.PreviousSecretExpires);
      assert.ok(expires >= before + 3500 && expires <= Date.now() + 3700, rotated.json.SecretRotation.PreviousSecretExpires);
    }
    await signalAndDeliver(2);
    assert.equal(standard.signatures.at(-1)!.split(' ').length, 2, 'v1,<new> v1,<old>');
    const log = await call(hookd.url, 'GET', `/api/v1/Webhook/${ids[0]}/Deliveries`);
    assert.equal(log.json.SecretRotation.Confirmed, false, 'the delivery log shows the overlap');

    // The receivers take the new secret, one after the other.
    standard.secret = NEW;
    await signalAndDeliver(3);
    netserver.secret = NEW;
    const confirm = await call(hookd.url, 'POST', `/api/v1/Webhook/${ids[1]}/Secret/Confirm`);
    assert.equal(confirm.status, 200, confirm.text);
    assert.equal(confirm.json.Success, true, 'the ping was signed with the new secret');
    const confirmed = await call(hookd.url, 'GET', `/api/v1/Webhook/${ids[1]}`);
    assert.equal(confirmed.json.SecretRotation.Confirmed, true);
    await signalAndDeliver(4);

    assert.ok(Date.now() < expires, 'all of the above ran within the overlap');
    await new Promise((r) => setTimeout(r, expires - Date.now() + 50));
    await signalAndDeliver(5);
    assert.equal(standard.signatures.at(-1)!.split(' ').length, 1, 'after the grace period: the new secret only');
    assert.equal('SecretRotation' in (await call(hookd.url, 'GET', `/api/v1/Webhook/${ids[0]}/Deliveries`)).json, false);
    const ns = netserver.last!;
    assert.equal(verifySignature(ns.body, ns.headers['x-superoffice-signature']!, NEW), true);
    assert.equal(verifySignature(ns.body, ns.headers['x-superoffice-signature']!, OLD), false, 'NetServer: not the old secret any more');
    const std = standard.last!;
    assert.throws(
      () => new Webhook(Buffer.from(OLD, 'utf8').toString('base64')).verify(std.body.toString('utf8'), std.headers),
      'Standard Webhooks: a receiver still on the old secret is refused after the grace period',
    );

    assert.deepEqual([standard.rejected, netserver.rejected], [[], []], 'no delivery (and no ping) was ever rejected');
    assert.equal(standard.accepted, 6, 'the save-time ping and five deliveries');
    assert.equal(netserver.accepted, 7, 'the save-time ping, five deliveries and the confirming ping');
  });

  it('Confirm before the receiver has the new secret fails and keeps the old signature; without a rotation it is a 409', async () => {
    const res = await call(hookd.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiverUrl}/ns`, { Name: 'second', Events: ['sale.lost'], Secret: NEW }),
    });
    const id = res.json.WebhookId as number;
    const none = await call(hookd.url, 'POST', `/api/v1/Webhook/${id}/Secret/Confirm`);
    assert.equal(none.status, 409);
    assert.equal(none.json.ErrorCode, 'no_rotation');
    const rotated = await call(hookd.url, 'POST', `/api/v1/Webhook/${id}/Secret/Rotate`, { body: { GracePeriodHours: 1 } });
    assert.match(rotated.json.Secret, /^[A-Za-z0-9_-]{43}$/, 'a generated secret: 32 random bytes');
    const early = await call(hookd.url, 'POST', `/api/v1/Webhook/${id}/Secret/Confirm`);
    assert.equal(early.json.Success, false, 'the receiver still holds the previous secret');
    assert.equal((await call(hookd.url, 'GET', `/api/v1/Webhook/${id}`)).json.SecretRotation.Confirmed, false);
    netserver.rejected.length = 0;
  });

  it('refuses a short secret and a grace period out of range, naming them', async () => {
    const res = await call(hookd.url, 'POST', '/api/v1/Webhook/1/Secret/Rotate', { body: { Secret: 'short', GracePeriodHours: 1000 } });
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /Secret/);
    assert.match(res.text, /GracePeriodHours/);
  });

  it('a new Secret set by a PUT ends the overlap', async () => {
    const rotated = await call(hookd.url, 'POST', '/api/v1/Webhook/1/Secret/Rotate', { body: {} });
    assert.ok(rotated.json.SecretRotation);
    const put = await call(hookd.url, 'PUT', '/api/v1/Webhook/1', { body: { ...rotated.json, Secret: 'replaced-by-a-put-000' } });
    assert.equal(put.status, 200, put.text);
    assert.equal('SecretRotation' in put.json, false);
    const same = await call(hookd.url, 'PUT', '/api/v1/Webhook/2', { body: (await call(hookd.url, 'GET', '/api/v1/Webhook/2')).json });
    assert.ok(same.json.SecretRotation, 'a PUT that sends the secret back unchanged keeps it');
  });
});
