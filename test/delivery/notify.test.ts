/**
 * The current carrier's NotifyVia and NotifyWhen do what they say: FirstFailure at a webhook's first failed
 * attempt after a success, Disabling when it is switched off; Email to ErrorEmails and to the e-mail
 * addresses of ErrorAssociates, InApp as notifications the API lists for each ErrorAssociate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const clock = new TestClock();
let server: TestServer;
let receiver: Receiver;
/** Paths that answer 500 to events (the save-time ping, Event 'test', always gets 200). */
const failing = new Set<string>();

before(async () => {
  receiver = await Receiver.start((req, res) => {
    const event = JSON.parse(req.body.toString('utf8') || '{}').Event;
    res.statusCode = event !== 'test' && failing.has(req.path) ? 500 : 200;
    res.end();
  });
  server = await startHookd({ maxConsecutiveErrors: 3 }, { clock });
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function associate(userName: string, email: string | null): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Associate', {
    body: { UserName: userName, Password: 'password-of-' + userName, Name: `${userName} Example`, ...(email ? { Email: email } : {}) },
  });
  assert.equal(res.status, 200, res.text);
  return res.json.AssociateId;
}

async function notices(webhookId: number) {
  const tenant = server.hookd.defaultTenant.id;
  return (await server.hookd.store.notifications.listNotifications(tenant))
    .filter((n) => n.webhookId === webhookId)
    .map((n) => `${n.reason} ${n.channel} ${n.recipient}`);
}

/** Signals one contact.created and runs every attempt the clock allows, moving it through NetServer's cycle delays. */
async function signalAndRun(ms = 0): Promise<void> {
  await call(server.url, 'POST', '/api/v1/Webhook/contact.created/1', { body: {} });
  for (const step of [0, 1000, 4000, ms]) {
    clock.advance(step);
    await server.deliver();
  }
}

describe('NotifyVia and NotifyWhen', () => {
  it('tell ErrorEmails and the ErrorAssociates by e-mail and in-app: once at the first failure after a success, once when switched off', async () => {
    const ann = await associate('ann', 'ann@example.com');
    const bob = await associate('bob', null);
    const res = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/both`, {
        ErrorEmails: ['ops@example.com'],
        ErrorAssociates: [{ Id: ann }, { Id: bob }],
        NotifyVia: 'Email, InApp',
        NotifyWhen: 'FirstFailure, Disabling',
      }),
    });
    assert.equal(res.status, 200, res.text);
    const w = res.json;
    assert.deepEqual([w.NotifyVia, w.NotifyWhen, w.ErrorsEmail], ['Email, InApp', 'FirstFailure, Disabling', 'ops@example.com']);
    assert.deepEqual(
      w.ErrorAssociates.map((a: any) => [a.Id, a.Name, a.FullName]),
      [
        [ann, 'ann', 'ann Example'],
        [bob, 'bob', 'bob Example'],
      ],
    );

    await signalAndRun(); // a success: nothing to tell
    assert.deepEqual(await notices(w.WebhookId), []);

    failing.add('/both');
    await signalAndRun(); // three failures: the first is a FirstFailure, the third switches it off
    const get = await call(server.url, 'GET', `/api/v1/Webhook/${w.WebhookId}`);
    assert.equal(get.json.State, 'TooManyErrors');
    assert.deepEqual(await notices(w.WebhookId), [
      'FirstFailure email ops@example.com',
      'FirstFailure email ann@example.com',
      'FirstFailure inapp ann',
      'FirstFailure inapp bob',
      'Disabling email ops@example.com',
      'Disabling email ann@example.com',
      'Disabling inapp ann',
      'Disabling inapp bob',
    ]);

    // The in-app notifications are listed for their associate, and only for them.
    const forAnn = await call(server.url, 'GET', '/api/v1/Notifications', { auth: basic('ann', 'password-of-ann') });
    assert.equal(forAnn.status, 200, forAnn.text);
    assert.deepEqual(
      forAnn.json.map((n: any) => [n.WebhookId, n.Reason]),
      [
        [w.WebhookId, 'FirstFailure'],
        [w.WebhookId, 'Disabling'],
      ],
    );
    assert.match(forAnn.json[1].Subject, /was switched off/);
    const forAdmin = await call(server.url, 'GET', '/api/v1/Notifications');
    assert.deepEqual(forAdmin.json, []);
    // In-app notifications are never mailed.
    assert.deepEqual(
      (await server.hookd.store.notifications.unsentNotifications(100)).filter((n) => n.webhookId === w.WebhookId).map((n) => n.recipient),
      ['ops@example.com', 'ann@example.com', 'ops@example.com', 'ann@example.com'],
    );
  });

  it('NotifyWhen None and NotifyVia None tell nobody; an unknown ErrorAssociate or flag is a 400 naming it', async () => {
    const quiet = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/quiet`, { ErrorEmails: ['ops@example.com'], NotifyWhen: 0 }),
    });
    failing.add('/quiet');
    await signalAndRun();
    assert.deepEqual(await notices(quiet.json.WebhookId), []);

    const unknown = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/x`, { ErrorAssociates: [{ Id: 987654 }], NotifyVia: 'Pigeon' }),
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /NotifyVia/);
    const missing = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/x`, { ErrorAssociates: [{ Id: 987654 }] }),
    });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /ErrorAssociates.*987654/);
  });

  it('keeps ErrorsEmail and ErrorEmails consistent both ways', async () => {
    const made = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/mail`, { ErrorsEmail: 'a@example.com; b@example.com' }),
    });
    assert.deepEqual([made.json.ErrorsEmail, made.json.ErrorEmails], ['a@example.com,b@example.com', ['a@example.com', 'b@example.com']]);
    const id = made.json.WebhookId;
    // A client that knows only ErrorsEmail sends the rest back as it read it: its change wins.
    const old = await call(server.url, 'PUT', `/api/v1/Webhook/${id}`, { body: { ...made.json, ErrorsEmail: 'c@example.com' } });
    assert.deepEqual([old.json.ErrorsEmail, old.json.ErrorEmails], ['c@example.com', ['c@example.com']]);
    const now = await call(server.url, 'PUT', `/api/v1/Webhook/${id}`, {
      body: { ...old.json, ErrorEmails: ['d@example.com', 'e@example.com'] },
    });
    assert.deepEqual([now.json.ErrorsEmail, now.json.ErrorEmails], ['d@example.com,e@example.com', ['d@example.com', 'e@example.com']]);
    const merge = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, { body: { ErrorEmails: [] } });
    assert.deepEqual([merge.json.ErrorsEmail, merge.json.ErrorEmails], ['', []]);
  });
});
