/** The CLI's issue-25 commands against a real server: ReceiverAuth flags on webhook create/update, and `hookd audit`. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { ADMIN, type TestServer, startHookd } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;
let env: Record<string, string>;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd();
  env = { HOOKD_URL: server.url, HOOKD_USER: ADMIN.user, HOOKD_PASSWORD: ADMIN.password };
});
after(async () => {
  await server.close();
  await receiver.close();
});

describe('hookd webhook … receiver auth, hookd audit', () => {
  it('sets basic auth, shows it without the password, clears it; the audit log shows both changes and no password', async () => {
    const created = await runCli(
      [
        'webhook',
        'create',
        '--name',
        'cli auth',
        '--events',
        'contact.created',
        '--target',
        `${receiver.url}/a`,
        '--basic-user',
        'u',
        '--basic-password',
        'cli-pass-9',
        '--json',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const w = JSON.parse(created.stdout);
    assert.deepEqual(w.ReceiverAuth, { Basic: { UserName: 'u' } });
    assert.ok(!created.stdout.includes('cli-pass-9'));
    const cleared = await runCli(['webhook', 'update', String(w.WebhookId), '--clear-receiver-auth', '--json'], env);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal('ReceiverAuth' in JSON.parse(cleared.stdout), false);
    const bad = await runCli(['webhook', 'update', String(w.WebhookId), '--ca-cert', 'not a pem'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /CaCertificates/);

    const audit = await runCli(['audit', '--webhook', String(w.WebhookId), '--json'], env);
    assert.equal(audit.code, 0, audit.stderr);
    const page = JSON.parse(audit.stdout);
    assert.deepEqual(
      page.Items.map((r: { Action: string }) => r.Action),
      ['webhook.update', 'webhook.create'],
    );
    assert.ok(!audit.stdout.includes('cli-pass-9'));
    const text = await runCli(['audit', '--actor', 'admin'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /webhook\.create/);
  });
});
