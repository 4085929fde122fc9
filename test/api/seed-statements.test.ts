/**
 * Seed statements nothing tested before (issue 23): Updated and UpdatedAssociate change on PUT and PATCH and not on a
 * failed save; the 4,000-character limits of Events and TargetUrl (webhook-table.md); PATCH's 412 with
 * If-Unmodified-Since (patch-webhook); a receiver with an invalid certificate (self-signed, on loopback) is a failed
 * attempt at the TLS stage (superoffice-webhooks.md §4). Real HTTP on loopback, on the store the run names.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { selfSignedCertificate, type TestCertificate } from '../helpers/certificate.js';
import { Receiver } from '../helpers/receiver.js';

const clock = new TestClock();
let server: TestServer;
let receiver: Receiver;
let bob: number;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({ savePing: false }, { clock });
  const user = await call(server.url, 'POST', '/api/v1/Associate', { body: { UserName: 'bob', Password: 'bob-password-1', Name: 'Bob' } });
  assert.equal(user.status, 200, user.text);
  bob = user.json.AssociateId;
});
after(async () => {
  await server.close();
  await receiver.close();
});

const merge = { 'Content-Type': 'application/merge-patch+json' };

describe('Updated and UpdatedAssociate (webhook-table.md: audit fields)', () => {
  it('change on PUT and on PATCH, to the caller and the time, and not on a save that fails', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/a`) });
    const id = created.json.WebhookId;
    assert.equal(created.json.Updated, '2026-01-05T09:00:00.0000000Z');
    clock.advance(60_000);
    const put = await call(server.url, 'PUT', `/api/v1/Webhook/${id}`, {
      auth: basic('bob', 'bob-password-1'),
      body: webhookBody(`${receiver.url}/a`, { Name: 'renamed by bob' }),
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual([put.json.Updated, put.json.UpdatedAssociate.AssociateId], ['2026-01-05T09:01:00.0000000Z', bob]);
    assert.equal(put.json.RegisteredAssociate.UserName, 'admin', 'the creator stays');
    clock.advance(60_000);
    const patch = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, { headers: merge, body: { Name: 'patched by admin' } });
    assert.equal(patch.status, 200, patch.text);
    assert.deepEqual([patch.json.Updated, patch.json.UpdatedAssociate.UserName], ['2026-01-05T09:02:00.0000000Z', 'admin']);
    clock.advance(60_000);
    for (const failed of [
      call(server.url, 'PUT', `/api/v1/Webhook/${id}`, { auth: basic('bob', 'bob-password-1'), body: webhookBody('ftp://x', {}) }),
      call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, { auth: basic('bob', 'bob-password-1'), headers: merge, body: { Events: [] } }),
    ]) {
      assert.equal((await failed).status, 400);
    }
    const after = (await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json;
    assert.deepEqual(
      [after.Name, after.Updated, after.UpdatedAssociate.UserName, after.UpdatedCount],
      ['patched by admin', '2026-01-05T09:02:00.0000000Z', 'admin', 2],
    );
  });
});

describe('the 4,000-character columns (webhook-table.md: events, target_url)', () => {
  it('take Events of exactly 4,000 characters joined and a TargetUrl of 4,000; one more is a 400 naming the field', async () => {
    // 16 names of 248 characters and one of 16, joined by 16 commas: 4,000.
    const events = [...Array.from({ length: 16 }, (_, i) => `e${String(i).padStart(2, '0')}.${'x'.repeat(244)}`), `z.${'y'.repeat(14)}`];
    assert.equal(events.join(',').length, 4000);
    const url = `${receiver.url}/${'p'.repeat(4000 - receiver.url.length - 1)}`;
    assert.equal(url.length, 4000);
    const ok = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(url, { Events: events }) });
    assert.equal(ok.status, 200, ok.text.slice(0, 300));
    assert.deepEqual([ok.json.Events.join(',').length, ok.json.TargetUrl.length], [4000, 4000]);
    const longEvents = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/a`, { Events: [...events.slice(0, -1), `z.${'y'.repeat(15)}`] }),
    });
    assert.equal(longEvents.status, 400);
    assert.deepEqual(longEvents.json.Errors, [{ Property: 'Events', Rule: 'may be at most 4000 characters when joined (it has 4001)' }]);
    const longUrl = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${url}p`) });
    assert.equal(longUrl.status, 400);
    assert.deepEqual(longUrl.json.Errors, [{ Property: 'TargetUrl', Rule: 'may be at most 4000 characters (it has 4001)' }]);
  });
});

describe("PATCH's 412 (If-Unmodified-Since)", () => {
  it('refuses a patch when the webhook changed after that date, and writes nothing; an up-to-date date passes', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/a`, { Name: 'guarded' }) });
    const id = created.json.WebhookId;
    const stale = new Date(clock.now() - 3_600_000).toUTCString();
    const res = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: { ...merge, 'If-Unmodified-Since': stale },
      body: { Name: 'lost update' },
    });
    assert.equal(res.status, 412, res.text);
    assert.deepEqual([res.json.ErrorType, res.json.ErrorCode], ['SoPreconditionFailedException', 'precondition_failed']);
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json.Name, 'guarded');
    const fresh = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: { 'Content-Type': 'application/json-patch+json', 'If-Unmodified-Since': new Date(clock.now()).toUTCString() },
      body: [{ op: 'replace', path: '/Name', value: 'kept up' }],
    });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.json.Name, 'kept up');
  });
});

describe('a receiver whose certificate is not valid (superoffice-webhooks.md §4)', () => {
  let tls: TestCertificate;
  let https: Server;
  let hits = 0;
  before(async () => {
    tls = selfSignedCertificate();
    https = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => https.close(resolve));
    tls.remove();
  });

  it('is a failed attempt at the TLS stage: no request reaches it, LastError names the certificate', async () => {
    const port = (https.address() as AddressInfo).port;
    const created = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`https://127.0.0.1:${port}/hook`, { Name: 'self-signed', Events: ['tls.check'] }),
    });
    assert.equal(created.status, 200, created.text);
    const id = created.json.WebhookId;
    await call(server.url, 'POST', '/api/v1/Webhook/tls.check/1', { body: {} });
    await server.deliver();
    const w = (await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json;
    assert.deepEqual([w.TotalCalls, w.TotalErrors], [1, 1]);
    assert.match(w.LastError, /^\[tls\] TLS: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
    const attempt = (await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`)).json.Items[0].Attempts[0];
    assert.deepEqual([attempt.Outcome, attempt.Stage, attempt.StatusCode], ['failure', 'tls', null]);
    assert.equal(hits, 0, 'the request never reached the receiver');
  });
});
