/** ErrorsEmail through a real SMTP server on loopback, and the target check on the resolved address. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { HttpSender, SendError, checkedLookup } from '../../src/delivery/http-sender.js';
import { TestClock, type TestServer, call, startHookd, webhookBody } from '../helpers/harness.js';
import { Receiver, status } from '../helpers/receiver.js';

describe('ErrorsEmail over SMTP', () => {
  const clock = new TestClock();
  const mails: Array<{ to: string[]; data: string }> = [];
  let smtp: SMTPServer;
  let server: TestServer;
  let receiver: Receiver;

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    receiver = await Receiver.start(status(500, 'down'));
    server = await startHookd(
      { retryDelaysMs: ['10', '10'], maxConsecutiveErrors: 3, smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: 'hookd@example.com' },
      { clock },
    );
  });
  after(async () => {
    await server.close();
    await receiver.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  it('mails the ErrorsEmail address when a webhook is switched off, once', async () => {
    const w = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/down`, { ErrorsEmail: 'oncall@example.com' }),
    });
    assert.equal(w.status, 200);
    await call(server.url, 'POST', '/api/v1/Webhook/contact.created/1', { body: {} });
    for (const ms of [0, 10, 10]) {
      clock.advance(ms);
      await server.deliver();
    }
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${w.json.WebhookId}`)).json.State, 'TooManyErrors');
    const mail = server.hookd.mail!;
    assert.equal(await mail.sendPending(), 1);
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]!.to, ['oncall@example.com']);
    assert.match(mails[0]!.data, /From: hookd@example.com/);
    assert.match(mails[0]!.data, new RegExp(`Subject: hookd: webhook 'Test hook' \\(${w.json.WebhookId}\\) was switched off`));
    assert.equal((await server.hookd.store.notifications.listNotifications(server.hookd.defaultTenant.id)).length, 1);
    assert.deepEqual(await server.hookd.store.notifications.unsentNotifications(10), [], 'marked sent');
    assert.equal(await mail.sendPending(), 0);
    assert.equal(mails.length, 1, 'sent once');
  });
});

describe('target checks when sending', () => {
  it('refuses a host name that resolves to a loopback address (DNS rebinding)', async () => {
    const lookup = checkedLookup(false);
    const error = await new Promise<unknown>((resolve) => lookup('localhost', { all: true }, (err) => resolve(err)));
    assert.ok(error instanceof SendError);
    assert.equal(error.stage, 'target-check');
    assert.match(error.message, /TargetUrl host 'localhost' resolves to (127\.0\.0\.1|::1), a loopback address/);
    const allowed = await new Promise<unknown>((resolve) => checkedLookup(true)('localhost', { all: true }, (err) => resolve(err)));
    assert.equal(allowed, null);
  });

  it('refuses http and private literal addresses before connecting, as a failed attempt with a clear error', async () => {
    const sender = new HttpSender({ timeoutMs: 1000, responseBodyCapBytes: 1024, allowPrivateTargets: false, connectionsPerOrigin: 1 });
    for (const [url, message] of [
      ['http://example.com/x', /must be an https URL/],
      ['https://10.0.0.1/x', /private/],
      ['https://[fd00:ec2::254]/x', /uniqueLocal/],
      ['https://169.254.169.254/latest/meta-data', /linkLocal/],
      ['https://100.64.0.1/x', /carrierGradeNat/],
    ] as const) {
      await assert.rejects(sender.post(url, {}, '{}'), (e: SendError) => e.stage === 'target-check' && message.test(e.message), url);
    }
    await sender.close();
  });
});
