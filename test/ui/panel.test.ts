/**
 * Issue 24: the dashboard at parity with SuperOffice 12.1's Webhooks panel (superoffice-webhooks.md §12), in
 * Debian's Chromium (playwright-core, axe-core on every page). hookd runs on a test clock, so failures, pauses and
 * "7/9" are made exactly by the test (delivery runs only when it calls `deliver()`). Screenshots of the list, the
 * form and the events tab go to test-results/ui, or with HOOKD_UPDATE_SCREENSHOTS=1 to docs/screenshots (README
 * shows them). The last case measures the list of 1,000 webhooks in the browser and prints the figures.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ADMIN, basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { type Received, Receiver } from '../helpers/receiver.js';
import { CATALOGUE_EVENTS } from '../../src/domain/event-catalogue.js';

declare const window: any;
declare const document: any;

const CHROMIUM = process.env.HOOKD_CHROMIUM ?? '/usr/bin/chromium';
// README's screenshots are rewritten only when asked (HOOKD_UPDATE_SCREENSHOTS=1); otherwise beside the other UI test's.
const DOCS = process.env.HOOKD_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/ui';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const skip = existsSync(CHROMIUM) ? false : process.env.CI ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let server: TestServer;
let receiver: Receiver;
let browser: Browser;
let page: Page;
// The test clock starts now: the ticket cookie's expiry must lie ahead of the browser's own clock.
const clock = new TestClock(Date.now());
/** Per path: how many deliveries still fail (500); test pings always get 200. */
const failing = new Map<string, number>();
const ids: Record<string, number> = {};
/** 12.1's list columns (superoffice-webhooks.md §12) and the actions. */
const COLUMNS = ['Name', 'Status', 'Target', 'Events', 'Last delivery', 'Last result', 'Failures (24 h)', 'Actions'];

before(async () => {
  if (skip) return;
  mkdirSync(DOCS, { recursive: true });
  receiver = await Receiver.start((req: Received, res) => {
    const ping = req.body.toString().includes('"Event":"test"');
    if (!ping && req.path === path('Paused shop')) {
      res.statusCode = 429;
      res.setHeader('Retry-After', '120');
      res.end('slow down');
      return;
    }
    const left = failing.get(req.path) ?? 0;
    if (!ping && left > 0) failing.set(req.path, left - 1);
    res.statusCode = !ping && left > 0 ? 500 : 200;
    res.end(res.statusCode === 200 ? 'thanks' : 'receiver down');
  });
  server = await startHookd({}, { clock });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => assert.fail(`a script error in the page: ${e.message}`));
});
after(async () => {
  if (skip) return;
  await browser.close();
  await server.close();
  await receiver.close();
});

async function assertAccessible(p: Page, what: string): Promise<void> {
  await p.evaluate(axeSource);
  const violations = (await p.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  })) as Array<{ id: string; impact: string }>;
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${what}: ${JSON.stringify(serious)}`);
}

async function signIn(p: Page): Promise<void> {
  await p.goto(`${server.url}/ui/`);
  await p.getByLabel('User name').fill(ADMIN.user);
  await p.getByLabel('Password').fill(ADMIN.password);
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Webhooks' }).waitFor();
}

/** The receiver's path for a webhook's name. */
const path = (name: string) => `/${name.toLowerCase().replace(/\W+/g, '-')}`;

async function hook(name: string, event: string, overrides: Record<string, unknown> = {}): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', {
    body: webhookBody(`${receiver.url}${path(name)}`, { Name: name, Events: [event], ...overrides }),
  });
  assert.equal(res.status, 200, res.text);
  ids[name] = res.json.WebhookId;
  return res.json.WebhookId;
}
const signal = (event: string, pk: number) => call(server.url, 'POST', `/api/v1/Webhook/${event}/${pk}`, { body: {} });
const row = (name: string) => page.locator(`tr[data-webhook="${ids[name]}"]`);
const get = async (id: number) => (await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json;

describe('12.1 Webhooks panel in Chromium', { skip }, () => {
  before(async () => {
    if (skip) return;
    await hook('Green orders', 'person.changed');
    await hook('Amber invoices', 'contact.created');
    await hook('Seven in a row', 'sale.sold');
    await hook('Broken receiver', 'ticket.created');
    await hook('Paused shop', 'quote.sent');
    await hook('Strict ledger', 'project.created', { Ordering: 'Strict' });
    // Amber: one failure, then the retry succeeds. 7/9: seven events fail once each. Disabled: nine in a row.
    failing.set(path('Amber invoices'), 1);
    failing.set(path('Seven in a row'), 7);
    failing.set(path('Broken receiver'), 1000);
    failing.set(path('Strict ledger'), 1000);
    await signal('quote.sent', 1);
    await signal('project.created', 1);
    await signal('project.created', 2);
    await signal('person.changed', 1);
    await signal('contact.created', 1);
    for (let pk = 1; pk <= 9; pk++) await signal('ticket.created', pk);
    await server.deliver();
    clock.advance(1000); // the amber one's retry
    await server.deliver();
    // Seven failures, their retries a second ahead of a clock that stays.
    for (let pk = 1; pk <= 7; pk++) await signal('sale.sold', pk);
    await server.deliver();
    await signIn(page);
  });

  it('lists 12.1 columns, badges (amber after one failure, Disabled after nine) and 7/9 toward disabling', async () => {
    await row('Broken receiver').waitFor();
    assert.deepEqual(await page.locator('thead th').allInnerTexts(), COLUMNS);
    const cells = async (name: string) => row(name).locator('td').allInnerTexts();
    const green = await cells('Green orders');
    assert.equal(green[1], 'Active');
    assert.equal(green[3], '1', 'Events: a count');
    assert.match(green[4] as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.equal(green[5], '200 OK');
    assert.equal(green[6], '0');

    const amber = await cells('Amber invoices');
    assert.equal(amber[1], 'Active with failures');
    assert.equal(await row('Amber invoices').locator('.badge').getAttribute('class'), 'badge s-ActiveWithFailures');
    assert.equal(amber[5], '200 OK', 'the retry succeeded');
    assert.equal(amber[6], '1');

    assert.match((await cells('Seven in a row'))[1] as string, /^Active with failures\s*7\/9/);
    assert.match(await row('Seven in a row').locator('[data-in-a-row]').innerText(), /^7\/9\b/);

    const broken = await cells('Broken receiver');
    assert.equal(broken[1], 'Disabled');
    assert.equal(broken[5], '500 failed');
    assert.equal(broken[6], '9');

    // Past 12.1: a Retry-After pause and a strict queue behind its failing event.
    assert.match(
      await row('Paused shop').locator('[data-paused]').innerText(),
      /^paused by Retry-After until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    const strictLog = (await call(server.url, 'GET', `/api/v1/Webhook/${ids['Strict ledger']}/Deliveries`)).json;
    assert.equal(
      await row('Strict ledger').locator('[data-waiting]').innerText(),
      `waiting behind a failing event (Strict): delivery ${strictLog.BlockedBy.DeliveryId}`,
    );

    // Restart only on the disabled webhook.
    assert.equal(await page.getByRole('button', { name: 'Restart' }).count(), 1);
    assert.equal(await row('Broken receiver').getByRole('button', { name: 'Restart' }).count(), 1);
    await assertAccessible(page, 'the list');
    await page.screenshot({ path: `${DOCS}/list.png` });
  });

  it('restarts a disabled webhook from the list', async () => {
    failing.set(path('Broken receiver'), 0);
    await row('Broken receiver').getByRole('button', { name: 'Restart' }).click();
    await page.getByText('"Broken receiver" is restarted.').waitFor();
    assert.equal((await get(ids['Broken receiver'] as number)).State, 'Active');
    await row('Broken receiver').getByRole('button', { name: 'Stop' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Restart' }).count(), 0);
  });

  it('copies a webhook as "<name> (copy)", created Stopped, and deletes it after a confirmation', async () => {
    await row('Green orders').getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied as "Green orders (copy)", Stopped.').waitFor();
    const copyRow = page.locator('tbody tr', { hasText: 'Green orders (copy)' });
    await copyRow.waitFor();
    assert.equal(await copyRow.locator('.badge').innerText(), 'Stopped');
    const copyId = Number(await copyRow.getAttribute('data-webhook'));
    const copy = await get(copyId);
    const original = await get(ids['Green orders'] as number);
    assert.equal(copy.State, 'Stopped');
    assert.deepEqual(copy.Events, original.Events);
    assert.equal(copy.TargetUrl, original.TargetUrl);
    // Start and stop it from the list: the toggle.
    await copyRow.getByRole('button', { name: 'Start' }).click();
    await copyRow.getByRole('button', { name: 'Stop' }).waitFor();
    assert.equal((await get(copyId)).State, 'Active');

    await copyRow.getByRole('button', { name: 'Delete' }).click();
    await copyRow.getByRole('group', { name: 'Confirm deletion' }).waitFor();
    await assertAccessible(page, 'the list asking to confirm a deletion');
    await copyRow.getByRole('button', { name: 'No' }).click();
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${copyId}`)).status, 200, 'No keeps it');
    await copyRow.getByRole('button', { name: 'Delete' }).click();
    await copyRow.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('"Green orders (copy)" is deleted.').waitFor();
    await copyRow.waitFor({ state: 'detached' });
    assert.equal((await call(server.url, 'GET', `/api/v1/Webhook/${copyId}`)).status, 404);
  });

  it('searches names by substring, ignoring case (the API keeps its exact nameFilter)', async () => {
    await page.getByLabel('Name contains').fill('IN A');
    await page.locator('tbody tr').first().waitFor();
    await waitForRows(['Seven in a row']);
    await page.getByLabel('Name contains').fill('e');
    await waitForRows(['Green orders', 'Amber invoices', 'Seven in a row', 'Broken receiver', 'Paused shop', 'Strict ledger']);
    await page.getByLabel('Name contains').fill('nothing like it');
    await page.getByText('No webhook has such a name.').waitFor();
    const exact = await call(server.url, 'GET', '/api/v1/Webhook?nameFilter=Seven');
    assert.deepEqual(exact.json, [], "the API's nameFilter is NetServer's exact match");
    await page.getByLabel('Name contains').fill('');
  });

  it('offers exactly the catalogue in the event picker, plus typed names; saves and shows recipients and triggers', async () => {
    await page.goto(`${server.url}/ui/#/webhooks/new`);
    await page.getByRole('heading', { name: 'New webhook' }).waitFor();
    const offered = await page.locator('[data-event-picker] input[type=checkbox]').evaluateAll((boxes) => boxes.map((b: any) => b.value));
    assert.deepEqual(offered, [...CATALOGUE_EVENTS], 'the picker is the catalogue of the spec, in its order');
    for (const never of ['quote.created', 'ticket.deleted', 'chatsession.deleted']) assert.ok(!offered.includes(never), never);

    const admin = (await get(ids['Green orders'] as number)).RegisteredAssociate.AssociateId as number;
    await page.getByLabel('Name', { exact: true }).fill('Notified orders');
    await page.getByLabel('Description').fill('Orders for the warehouse, with a pager');
    await page.getByLabel('Target URL').fill(`${receiver.url}/notified`);
    await page.getByLabel('contact.created').uncheck();
    await page.getByLabel('sale.sold').check();
    await page.getByLabel('person.consented').check();
    await page.getByLabel('More events').fill('list.category.created, shop.order.paid');
    await page.getByLabel('E-mail recipients').fill('ops@example.com\npager@example.com');
    // The tenant's CRM users, by name (GET /Associate).
    const users = await page.locator('[data-crm-users] label').allInnerTexts();
    assert.deepEqual(
      users.map((u) => u.trim()),
      ['Administrator (admin)'],
    );
    await page.getByLabel('Administrator (admin)').check();
    await page.getByLabel('In-app').check();
    await page.getByLabel('On first failure').check();
    assert.equal(await page.getByLabel('When disabled').isChecked(), true, "NetServer's default: when disabled, by e-mail");

    // The filter tester beside the Filter field.
    // The sample payload is the catalogue's sample of the first picked event (person.consented: person_id 42).
    await page.getByLabel('Payload filter').fill('{"FieldValues.person_id": {"$gt": 50}}');
    await page.getByText('Try the filter on a sample payload').click();
    await page.getByRole('button', { name: 'Test filter' }).click();
    await page.locator('[data-filter-verdict]').getByText('No match').waitFor();
    assert.match(await page.locator('[data-filter-verdict]').innerText(), /"FieldValues\.person_id".*the payload has 42/s);
    await page.getByLabel('Payload filter').fill('{"FieldValues.person_id": {"$gt": 0}}');
    await page.getByRole('button', { name: 'Test filter' }).click();
    await page.locator('[data-filter-verdict]').getByText('The filter matches').waitFor();
    await page.getByLabel('Payload filter').fill('');
    await assertAccessible(page, 'the form');
    await page.screenshot({ path: `${DOCS}/form.png`, fullPage: true });

    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('heading', { name: /Notified orders/ }).waitFor();
    const id = Number(/webhooks\/(\d+)/.exec(page.url())?.[1]);
    const saved = await get(id);
    assert.deepEqual(saved.Events, ['person.consented', 'sale.sold', 'list.category.created', 'shop.order.paid']);
    assert.deepEqual(saved.ErrorEmails, ['ops@example.com', 'pager@example.com']);
    assert.deepEqual(
      saved.ErrorAssociates.map((a: any) => a.Id),
      [admin],
    );
    assert.equal(saved.NotifyVia, 'Email, InApp');
    assert.equal(saved.NotifyWhen, 'FirstFailure, Disabling');
    assert.equal(saved.Description, 'Orders for the warehouse, with a pager');
    assert.equal(saved.Type, 'webhook');

    // Shown again in the form.
    await page.goto(`${server.url}/ui/#/webhooks/${id}/edit`);
    await page.getByRole('heading', { name: 'Edit Notified orders' }).waitFor();
    assert.equal(await page.getByLabel('E-mail recipients').inputValue(), 'ops@example.com\npager@example.com');
    assert.equal(await page.getByLabel('Administrator (admin)').isChecked(), true);
    for (const box of ['E-mail', 'In-app', 'On first failure', 'When disabled', 'sale.sold', 'person.consented'])
      assert.equal(await page.getByLabel(box, { exact: true }).isChecked(), true, box);
    assert.equal(await page.getByLabel('contact.created').isChecked(), false);
    assert.equal(await page.getByLabel('More events').inputValue(), 'list.category.created, shop.order.paid');
    assert.equal(await page.getByLabel('Description').inputValue(), 'Orders for the warehouse, with a pager');
    // Type crmscript names a script instead of a URL.
    await page.getByLabel('Type', { exact: true }).selectOption('crmscript');
    await page.getByLabel('Script include name').waitFor();
  });

  it('Events tab: retries one failed event, and exports the log as CSV (checked line by line)', async () => {
    const id = ids['Seven in a row'] as number;
    await page.goto(`${server.url}/ui/#/webhooks/${id}`);
    await page.getByRole('heading', { name: /Seven in a row/ }).waitFor();
    // The webhook's page shows the list's badge and figures too.
    assert.equal(await page.locator('h2 .badge').innerText(), 'Active with failures');
    await page.getByText('7/9 failures in a row').waitFor();
    await page.getByText('Failures (24 h): 7').waitFor();
    const first = page.locator('details[data-delivery]').first();
    assert.match(await first.locator('summary').innerText(), /^sale\.sold #7 — queued — 1 attempt — error 500 — /);
    await first.locator('summary').click();
    await assertAccessible(page, 'the events tab');
    await page.screenshot({ path: `${DOCS}/events.png`, fullPage: true });
    // The export first, while all seven wait for their retry: each line checked against the JSON log.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), `webhook-${id}-deliveries.csv`);
    const lines = readFileSync((await file.path()) as string, 'utf8').split('\r\n');
    const log = (await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`)).json;
    const expected = [
      'DeliveryId,EventId,Event,PrimaryKey,Created,Status,Attempts,StatusCode,Outcome,Stage,LastAttempt,Finished,TraceId',
      ...log.Items.map((d: any) =>
        [
          d.DeliveryId,
          d.EventId,
          'sale.sold',
          d.PrimaryKey,
          d.Created,
          'queued',
          1,
          500,
          'failure',
          'response',
          d.Attempts[0].Started,
          '',
          '',
        ].join(','),
      ),
      '',
    ];
    assert.equal(lines.length, 9, 'a header, seven deliveries, the final line end');
    expected.forEach((line, i) => assert.equal(lines[i], line, `line ${i + 1}`));
    assert.match(lines[1] as string, /^\d+,[0-9a-f-]{36},sale\.sold,7,\S+Z,queued,1,500,failure,response,\S+Z,,$/);

    // Retry one failed event: it is due at once (the others a second later).
    await first.getByRole('button', { name: 'Retry now' }).click();
    await page.getByText(/is queued again/).waitFor();
    const after = (await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`)).json.Items;
    assert.equal(after[0].DueAt, after[0].Attempts[0].Started, 'the retried one is due now');
    assert.notEqual(after[1].DueAt, after[1].Attempts[0].Started, 'the others keep their retry time');
    // The worker that holds the webhook's queue sends it at its held due time at the latest (see the notes).
    clock.advance(1000);
    await server.deliver();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page
      .locator('details[data-delivery]')
      .first()
      .locator('summary')
      .getByText(/^sale\.sold #7 — delivered — 2 attempts — /)
      .waitFor();

    // An event signalled in a trace (W3C traceparent): its delivery shows the trace id; the others show none.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traced = await call(server.url, 'POST', '/api/v1/Webhook/sale.sold/8', {
      body: {},
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.equal(traced.status, 204, traced.text);
    await server.deliver();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const newest = page.locator('details[data-delivery]').first();
    await newest
      .locator('summary')
      .getByText(/^sale\.sold #8 — delivered/)
      .waitFor();
    await newest.locator('summary').click();
    assert.equal(await newest.locator('[data-trace-id]').innerText(), traceId);
    assert.equal(await page.locator('details[data-delivery]').nth(1).locator('[data-trace-id]').count(), 0);
  });

  it('renders the list of 1,000 webhooks (each with an attempt) within one screen load; prints the measurement', async (t) => {
    const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
      body: { ContextIdentifier: 'Big', UserName: 'big', Password: 'big-password-1' },
    });
    assert.equal(tenant.status, 200, tenant.text);
    const auth = basic('big', 'big-password-1');
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          call(server.url, 'POST', '/Big/api/v1/Webhook', {
            auth,
            body: webhookBody(`${receiver.url}/big/${i + j}`, { Name: `Big ${String(i + j).padStart(4, '0')}`, Events: ['sale.lost'] }),
          }).then((r) => assert.equal(r.status, 200, r.text)),
        ),
      );
    }
    failing.set('/big/7', 1);
    await call(server.url, 'POST', '/Big/api/v1/Webhook/sale.lost/1', { auth, body: {} });
    await server.deliver();

    const api0 = performance.now();
    const answer = await call(server.url, 'GET', '/Big/api/v1/Webhook?Usage=true&$select=WebhookId,Name,State,TargetUrl,Events', { auth });
    const apiMs = performance.now() - api0;
    assert.equal(answer.json.length, 1000);
    assert.equal(answer.json.filter((w: any) => w.Usage.LastOutcome === 'success').length, 999);

    await page.goto(`${server.url}/ui/#/`);
    await page.getByLabel('Tenant').fill('Big');
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1000, undefined, { timeout: 30_000 });
    const renderMs = performance.now() - t0;
    const bytes = answer.text.length;
    t.diagnostic(
      `1,000 webhooks: GET /Webhook?Usage=true ${apiMs.toFixed(0)} ms (${(bytes / 1024).toFixed(0)} KB); ` +
        `Switch clicked to 1,000 rows in the page ${renderMs.toFixed(0)} ms (includes the list's 150 ms input debounce)`,
    );
    assert.equal(await page.locator('tr', { hasText: 'Big 0007' }).locator('.badge').innerText(), 'Active with failures');
    await page.getByLabel('Name contains').fill('0999');
    await waitForRows(['Big 0999']);
  });

  it("grants and revokes an application's access to the Webhook agent (Online Restricted), token never shown", async () => {
    await page.goto(`${server.url}/ui/#/access`);
    await page.getByRole('heading', { name: 'Application access' }).waitFor();
    assert.match(await page.locator('section p').first().innerText(), /Mode: Open/);
    await page.getByLabel('SO-AppToken').fill('app-token-of-the-shop');
    await page.getByLabel('Name', { exact: true }).fill('The shop');
    await page.getByRole('button', { name: 'Grant' }).click();
    await page.getByText('Granted: The shop').waitFor();
    const hash = createHash('sha256').update('app-token-of-the-shop').digest('hex');
    const grantRow = page.locator('tbody tr', { hasText: 'The shop' });
    assert.match(await grantRow.innerText(), new RegExp(hash.slice(0, 16)));
    assert.doesNotMatch(await page.content(), /app-token-of-the-shop/, 'the token is not shown once granted');
    const listed = await call(server.url, 'GET', '/api/v1/AppAccess');
    assert.deepEqual(
      listed.json.Grants.map((g: { AppTokenHash: string; Name: string }) => [g.AppTokenHash, g.Name]),
      [[hash, 'The shop']],
    );
    await assertAccessible(page, 'the application access page');
    page.once('dialog', (d) => void d.accept());
    await grantRow.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Revoked: The shop').waitFor();
    assert.deepEqual((await call(server.url, 'GET', '/api/v1/AppAccess')).json.Grants, []);
    await page.goto(`${server.url}/ui/#/`);
  });

  it('shows the same panel in the portal, scoped to its tenant', async () => {
    const t = await call(server.url, 'POST', '/api/v1/Portal/Token', { body: {} });
    assert.equal(t.status, 200, t.text);
    const portal = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await portal.goto(t.json.Url);
    await portal.locator(`tr[data-webhook="${ids['Amber invoices']}"]`).waitFor();
    assert.deepEqual(await portal.locator('thead th').allInnerTexts(), COLUMNS);
    assert.equal(await portal.locator(`tr[data-webhook="${ids['Amber invoices']}"] .badge`).innerText(), 'Active with failures');
    await assertAccessible(portal, 'the portal list');
    assert.equal(await portal.getByRole('link', { name: 'Application access' }).count(), 0, 'not in the portal');
    await portal.close();
  });
});

async function waitForRows(names: string[]): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const shown = await page.locator('tbody tr td:first-child').allInnerTexts();
    if (JSON.stringify(shown) === JSON.stringify(names)) return;
    if (Date.now() > deadline) assert.deepEqual(shown, names);
    await new Promise((r) => setTimeout(r, 50));
  }
}
