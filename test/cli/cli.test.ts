/** The CLI against a real server: every command's output and exit code, and its errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { ADMIN, type TestServer, startHookd, waitUntil } from '../helpers/harness.js';
import { freePort } from '../helpers/process.js';
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

describe('hookd webhook …', () => {
  let id: number;

  it('creates a webhook and prints it as JSON', async () => {
    const r = await runCli(
      [
        'webhook',
        'create',
        '--name',
        'cli hook',
        '--events',
        'contact.*,sale.sold',
        '--target',
        `${receiver.url}/cli`,
        '--secret',
        's3',
        '--header',
        'X-Api-Key=k',
        '--property',
        'tenant=acme',
        '--json',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const w = JSON.parse(r.stdout);
    id = w.WebhookId;
    assert.deepEqual(
      [w.Name, w.Events, w.Headers, w.Properties, w.State],
      ['cli hook', ['contact.*', 'sale.sold'], { 'X-Api-Key': 'k' }, { tenant: 'acme' }, 'Active'],
    );
  });

  it('lists, gets, updates, disables and enables it', async () => {
    const list = await runCli(['webhook', 'list'], env);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^WebhookId\s+Name\s+State\s+Type\s+Events/);
    assert.match(list.stdout, new RegExp(`\\n${id}\\s+cli hook\\s+Active\\s+webhook\\s+contact\\.\\*,sale\\.sold`));
    const get = await runCli(['webhook', 'get', String(id)], env);
    assert.match(get.stdout, /^WebhookId\s+\d+\nName\s+cli hook\n/);
    const updated = await runCli(['webhook', 'update', String(id), '--name', 'renamed', '--json'], env);
    assert.equal(JSON.parse(updated.stdout).Name, 'renamed');
    assert.equal(JSON.parse((await runCli(['webhook', 'disable', String(id), '--json'], env)).stdout).State, 'Stopped');
    assert.equal(JSON.parse((await runCli(['webhook', 'enable', String(id), '--json'], env)).stdout).State, 'Active');
    const filtered = await runCli(['webhook', 'list', '--event', 'contact.created', '--status', 'Active', '--json'], env);
    assert.deepEqual(
      JSON.parse(filtered.stdout).map((w: any) => w.WebhookId),
      [id],
    );
  });

  it('tests it, and shows the last error', async () => {
    const test = await runCli(['webhook', 'test', String(id)], env);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /^success\nHTTP\/1\.1 200 OK/);
    const lastError = await runCli(['webhook', 'last-error', String(id)], env);
    assert.equal(lastError.stdout.trim(), '(no error recorded)');
  });

  it('triggers a catalogue sample and signals an event; the deliveries show in the log', async () => {
    const trigger = await runCli(['trigger', 'contact.changed', '--primary-key', '18'], env);
    assert.equal(trigger.code, 0, trigger.stderr);
    assert.equal(trigger.stdout.trim(), 'signalled contact.changed 18: 1 deliveries queued');
    await waitUntil(() => receiver.received.filter((r) => r.path === '/cli').length >= 1, 5000, 'the trigger');
    const body = JSON.parse(receiver.received.find((r) => r.path === '/cli')!.body.toString());
    assert.deepEqual(body.Changes, ['contact_id', 'updated_associate_id', 'soundEx', 'updated', 'name']);
    assert.equal(body.FieldValues.country_id, 578);
    assert.equal(body.tenant, 'acme');

    const signal = await runCli(['signal', 'sale.sold', '7', '--data', '{"Changes":["status"]}', '--json'], env);
    assert.deepEqual(JSON.parse(signal.stdout), { Event: 'sale.sold', PrimaryKey: 7, Deliveries: 1 });
    await waitUntil(() => receiver.received.filter((r) => r.path === '/cli').length >= 2, 5000, 'the signal');

    await waitUntil(async () => (await runCli(['deliveries', String(id), '--json'], env)).stdout.includes('"success"'), 5000, 'the log');
    const log = await runCli(['deliveries', String(id)], env);
    assert.match(log.stdout, /^DeliveryId\s+Event\s+PrimaryKey\s+Status\s+Retry/);
    assert.match(log.stdout, /sale\.sold\s+7\s+delivered\s+0\s+/);
    const page = JSON.parse((await runCli(['deliveries', String(id), '--json'], env)).stdout);
    const retry = await runCli(['retry', String(id), String(page.Items[0].DeliveryId)], env);
    assert.equal(retry.code, 0);
    assert.equal(retry.stdout.trim(), `delivery ${page.Items[0].DeliveryId} queued again`);
    const ids = page.Items.map((d: any) => d.DeliveryId as number);
    const from = Math.min(...ids);
    const to = Math.max(...ids) + 5; // past this webhook's newest deliveries: those ids are not found
    const range = await runCli(['retry', String(id), `${from}-${to}`, '--json'], env);
    assert.equal(range.code, 0, range.stderr);
    const counts = JSON.parse(range.stdout);
    assert.equal(counts.Queued + counts.NotFound, to - from + 1);
    assert.ok(counts.Queued >= ids.length && counts.NotFound >= 1, JSON.stringify(counts));
  });

  it('recovers a stretch: a dry-run count, then a job it follows to the end', async () => {
    const dry = await runCli(
      ['recover', String(id), '--since', '1h', '--status', 'all', '--events', 'sale.sold', '--dry-run', '--json'],
      env,
    );
    assert.equal(dry.code, 0, dry.stderr);
    const count = JSON.parse(dry.stdout).Count as number;
    assert.ok(count >= 1, dry.stdout);
    const before = receiver.received.filter((r) => r.path === '/cli').length;
    const run = await runCli(['recover', String(id), '--since', '1h', '--status', 'all', '--events', 'sale.sold'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^recover job \\d+: Done, ${count} of ${count} deliveries sent again`));
    await waitUntil(() => receiver.received.filter((r) => r.path === '/cli').length >= before + count, 5000, 'the recovered deliveries');
    const bad = await runCli(['recover', String(id), '--since', 'yesterday'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Since/);
  });

  it('exports and imports webhooks', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hookd-cli-')), 'hooks.json');
    const exported = await runCli(['webhook', 'export', file], env);
    assert.equal(exported.code, 0, exported.stderr);
    const count = JSON.parse(readFileSync(file, 'utf8')).length;
    assert.match(exported.stdout, new RegExp(`exported ${count} webhooks`));
    const imported = await runCli(['webhook', 'import', file], env);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, new RegExp(`imported ${count} webhooks`));
  });

  it('sets the delivery controls, tests a filter, rotates and confirms the secret', async () => {
    const set = await runCli(
      [
        'webhook',
        'update',
        String(id),
        '--max-per-second',
        '5',
        '--ordering',
        'Strict',
        '--filter',
        '{"FieldValues.amount":{"$gt":100}}',
        '--send-trace-context',
        'true',
        '--json',
      ],
      env,
    );
    assert.equal(set.code, 0, set.stderr);
    const w = JSON.parse(set.stdout);
    assert.deepEqual(
      [w.MaxPerSecond, w.Ordering, w.Filter, w.SendTraceContext],
      [5, 'Strict', { 'FieldValues.amount': { $gt: 100 } }, true],
    );
    const bad = await runCli(['webhook', 'update', String(id), '--filter', '{"Entity":{"$like":"x"}}'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Filter\.Entity\.\$like/);

    const miss = await runCli(['webhook', 'test-filter', '{"FieldValues.amount":{"$gt":100}}', '{"FieldValues":{"amount":5}}'], env);
    assert.equal(miss.code, 1, 'a miss exits 1');
    assert.match(miss.stdout, /does not match\n {2}\{"FieldValues.amount":\{"\$gt":100\}\} — the payload has 5/);
    const hit = await runCli(['webhook', 'test-filter', '{"Event":"sale.sold"}', '{"Event":"sale.sold"}'], env);
    assert.equal(hit.code, 0);
    assert.match(hit.stdout, /^matches/);

    const rotated = await runCli(['webhook', 'rotate-secret', String(id), '--secret', 'a-new-secret-of-16+', '--grace-hours', '2'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /^new secret: a-new-secret-of-16\+\nthe previous one signs too until \d{4}-/);
    const confirmed = await runCli(['webhook', 'confirm-secret', String(id)], env);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match(confirmed.stdout, /^confirmed/);
  });

  it('deletes it', async () => {
    const r = await runCli(['webhook', 'delete', String(id)], env);
    assert.equal(r.stdout.trim(), `deleted webhook ${id}`);
    const again = await runCli(['webhook', 'get', String(id)], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`Webhook id ${id} not found \\(not_found\\)`));
  });
});

describe('hookd serve and config', () => {
  it('has a flag for every setting, and config hides secrets', async () => {
    const help = await runCli(['serve', '--help']);
    for (const flag of [
      '--port',
      '--data-dir',
      '--database-url',
      '--attempt-timeout-ms',
      '--max-in-flight-per-webhook',
      '--smtp-url',
      '--role',
      '--dev',
    ]) {
      assert.ok(help.stdout.includes(flag), `serve --help lists ${flag}`);
    }
    const config = await runCli(['config'], { HOOKD_ADMIN_PASSWORD: 'pw', PORT: '9999' });
    assert.equal(config.code, 0);
    assert.match(config.stdout, /^PORT\s+9999\s/m);
    assert.match(config.stdout, /^HOOKD_ADMIN_PASSWORD\s+\(hidden\)\s/m);
    const bad = await runCli(['config'], { PORT: 'eighty' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /PORT must be a whole number \(got 'eighty'\)/);
  });
});

describe('CLI errors', () => {
  const cases: Array<[string, string[], Record<string, string> | null, RegExp]> = [
    ['an unknown flag', ['webhook', 'list', '--colour'], null, /unknown option '--colour'/],
    ['a missing required flag', ['webhook', 'create', '--name', 'x'], null, /--events is required/],
    ['a bad id', ['webhook', 'get', 'abc'], null, /id must be a whole number \(got 'abc'\)/],
    ['bad --data', ['signal', 'a.b', '1', '--data', '{'], null, /--data is not JSON/],
    ['an unknown catalogue event', ['trigger', 'spaceship.launched'], null, /no sample for 'spaceship\.launched'/],
    [
      'an event NetServer never sends',
      ['trigger', 'ticket.deleted'],
      null,
      /no sample for 'ticket\.deleted': it is not an event of the catalogue \(activity\.created, .*sale\.sold/,
    ],
    [
      'a server that is down',
      ['webhook', 'list'],
      { HOOKD_URL: 'DOWN' },
      /cannot reach hookd at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is the server running\?/,
    ],
    ['a wrong password', ['webhook', 'list'], { HOOKD_PASSWORD: 'wrong' }, /failed: .*\(invalid_credentials\) Pass --user\/--password/],
  ];
  for (const [what, args, extra, message] of cases) {
    it(`reports ${what} and exits non-zero`, async () => {
      const down: Record<string, string> = extra?.HOOKD_URL === 'DOWN' ? { HOOKD_URL: `http://127.0.0.1:${await freePort()}` } : {};
      const r = await runCli(args, { ...env, ...(extra ?? {}), ...down });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
    });
  }
});
