/**
 * The dashboard and the portal in a real browser: Debian's Chromium driven headless by playwright-core
 * (`.ci/run` installs the `chromium` package; nothing is downloaded). Each page is scanned with axe-core
 * (no serious or critical violations) and photographed into test-results/ui/ (CI artifacts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ADMIN, basic, call, startHookd, type TestServer, waitUntil } from '../helpers/harness.js';
import { type Received, Receiver } from '../helpers/receiver.js';

// Only inside page.evaluate: these run in the browser.
declare const window: any;
declare const document: any;

const CHROMIUM = process.env.HOOKD_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = 'test-results/ui';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// CI must run these; a developer machine without Chromium skips them and says why.
const skip = existsSync(CHROMIUM) ? false : process.env.CI ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let server: TestServer;
let receiver: Receiver;
let browser: Browser;
/** The receiver's answer to deliveries (pings always get 200). */
let answer = 200;

before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  receiver = await Receiver.start((_req: Received, res) => {
    res.statusCode = answer;
    res.end(answer === 200 ? 'thanks' : 'receiver down');
  });
  // Three failures in a row switch a webhook off (one cycle: 1 s and 4 s), so the test sees TooManyErrors in ~5 s.
  server = await startHookd({ maxConsecutiveErrors: 3, signatureSchemes: ['netserver', 'standard'] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(async () => {
  if (skip) return;
  await browser.close();
  await server.close();
  await receiver.close();
});

/** axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays as it is). */
async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  })) as Array<{ id: string; impact: string; nodes: number; help: string }>;
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${what}: ${JSON.stringify(serious)}`);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${server.url}/ui/`);
  await page.getByLabel('User name').waitFor();
  await assertAccessible(page, 'sign-in');
  await shot(page, '01-sign-in');
  // By keyboard: type, Tab to the password, Enter submits.
  await page.getByLabel('User name').fill(ADMIN.user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
}

describe('the dashboard in Chromium', { skip }, () => {
  let page: Page;
  let id = 0;

  before(async () => {
    if (skip) return;
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => assert.fail(`a script error in the page: ${e.message}`));
  });

  it("signs in, creates a webhook through the form and shows the test ping's answer; rules show at their field", async () => {
    await signIn(page);
    await page.getByRole('link', { name: 'New webhook' }).first().click();
    await page.getByRole('heading', { name: 'New webhook' }).waitFor();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.locator('#Name-error').getByText('Name: is required').waitFor();
    await page.locator('#TargetUrl-error').getByText('TargetUrl: is required').waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'form with errors');
    await shot(page, '02-form-errors');

    await page.getByLabel('Name', { exact: true }).fill('Orders to the warehouse');
    await page.getByLabel('Target URL').fill(`${receiver.url}/ui`);
    await page.getByLabel('More events').fill('sale.*');
    await page.getByLabel('Secret').fill('ui-secret-1234567890');
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    assert.equal(await page.getByLabel('Secret').getAttribute('type'), 'text');
    await page.getByRole('button', { name: 'Send test' }).click();
    const result = page.locator('[data-test-result]');
    await result.getByText('The target answered the test').waitFor();
    assert.match(await result.locator('pre').innerText(), /^HTTP\/1\.1 200 OK/);
    await shot(page, '03-form-test');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('heading', { name: /Orders to the warehouse/ }).waitFor();
    id = Number(/webhooks\/(\d+)/.exec(page.url())?.[1]);
    assert.ok(id > 0);
    const w = await call(server.url, 'GET', `/api/v1/Webhook/${id}`);
    assert.deepEqual(w.json.Events, ['contact.created', 'sale.*']);
  });

  it('shows a signalled event in the delivery log with its request and attempt, as text: markup in a payload runs nothing', async () => {
    const hostile = { name: '<script>window.__xss = 1</script>', note: '"><img src=x onerror="window.__xss = 2">' };
    const res = await call(server.url, 'POST', '/api/v1/Webhook/contact.created/7', { body: hostile });
    assert.equal(res.status, 204);
    await receiver.waitFor(1);
    // The result is recorded a moment after the receiver answered: refresh until the log says so.
    await waitUntil(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await page.getByText(/contact\.created #7 — delivered/).count()) > 0;
      },
      10_000,
      'the delivery recorded',
    );
    const delivery = page.locator('details[data-delivery]').first();
    await delivery.locator('summary').click();
    await delivery.getByText('Request as sent').waitFor();
    const texts = await delivery.locator('pre').allInnerTexts();
    assert.ok(
      texts.some((t) => t.includes('<script>window.__xss = 1</script>')),
      'the payload shown as text',
    );
    assert.ok(
      texts.some((t) => /X-SuperOffice-Signature: \S+/.test(t) && /webhook-signature: v1,/.test(t)),
      'the headers as sent',
    );
    assert.equal(await page.evaluate(() => (window as any).__xss), undefined, 'nothing ran');
    assert.equal(await page.locator('img').count(), 0, 'no element came from the payload');
    await delivery.getByRole('cell', { name: '200', exact: true }).waitFor();
    await assertAccessible(page, 'webhook detail with a delivery open');
    await shot(page, '04-delivery-attempt');
  });

  it('shows TooManyErrors after failures, restarts the webhook and the queued events arrive', async () => {
    answer = 500;
    const before = receiver.count;
    for (const pk of [8, 9]) await call(server.url, 'POST', `/api/v1/Webhook/contact.created/${pk}`, { body: {} });
    await waitUntil(
      async () => (await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json.State === 'TooManyErrors',
      15_000,
      'TooManyErrors',
    );
    await page.goto(`${server.url}/ui/#/`);
    const row = page.locator(`tr[data-webhook="${id}"]`);
    await row.getByText('Disabled', { exact: true }).waitFor();
    await assertAccessible(page, 'webhook list');
    await shot(page, '05-list-too-many-errors');
    answer = 200;
    await row.getByRole('link', { name: 'Orders to the warehouse' }).click();
    await page.getByRole('button', { name: 'Restart' }).click();
    await page.getByText('The webhook is Active now.').waitFor();
    await waitUntil(
      () =>
        new Set(
          receiver.received
            .slice(before)
            .filter((r) => r.headers['x-superoffice-event'])
            .map((r) => JSON.parse(r.body.toString()).PrimaryKey),
        ).has(9),
      15_000,
      'the queued events',
    );
    const arrived = receiver.received.slice(before).map((r) => JSON.parse(r.body.toString()).PrimaryKey as number);
    assert.ok(arrived.includes(8) && arrived.includes(9));
  });

  it('resends one delivery, and recovers a range with a dry-run count and a progress bar', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    const count = receiver.count;
    const first = page.locator('details[data-delivery]').first();
    await first.locator('summary').click();
    await first.getByRole('button', { name: 'Resend' }).click();
    await page.getByText(/is queued again/).waitFor();
    await receiver.waitFor(count + 1);

    await page.getByRole('button', { name: 'Count (dry run)' }).click();
    const counted = await page.getByText(/deliveries would be sent again/).innerText();
    const n = Number(/^(\d+)/.exec(counted)?.[1]);
    assert.ok(n >= 2, `events 8 and 9 were delivered after failures: ${counted}`);
    await page.getByRole('button', { name: 'Recover', exact: true }).click();
    await page.getByText(`Recover: ${n} of ${n} (Done)`).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#r-progress').getAttribute('value'), String(n));
    await receiver.waitFor(count + 1 + n);
  });

  it('is readable 360 px wide', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${server.url}/ui/#/`);
    await page.locator('tbody tr').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px (tables scroll in their own box)`);
    await shot(page, '06-list-360px');
    await page.setViewportSize({ width: 1200, height: 900 });
  });
});

describe('the portal in Chromium', { skip }, () => {
  it("shows exactly its own tenant's webhooks; a tampered token is refused", async () => {
    const tenant = await call(server.url, 'POST', '/api/v1/Tenant', {
      body: { ContextIdentifier: 'Shop', UserName: 'shopkeeper', Password: 'shop-password-1' },
    });
    assert.equal(tenant.status, 200, tenant.text);
    const created = await call(server.url, 'POST', '/Shop/api/v1/Webhook', {
      auth: basic('shopkeeper', 'shop-password-1'),
      body: { Name: "The shop's own hook", Events: ['sale.sold'], TargetUrl: `${receiver.url}/shop` },
    });
    assert.equal(created.status, 200, created.text);
    const t = await call(server.url, 'POST', '/Shop/api/v1/Portal/Token', { auth: basic('shopkeeper', 'shop-password-1'), body: {} });
    const page = await browser.newPage();
    await page.goto(t.json.Url);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    assert.deepEqual(await page.locator('tbody tr td:first-child').allInnerTexts(), ["The shop's own hook"]);
    assert.doesNotMatch(page.url(), /token=/, 'the token left the address bar');
    assert.equal(await page.getByLabel('Tenant').count(), 0, 'no tenant switching in the portal');
    await assertAccessible(page, 'portal');
    await shot(page, '07-portal');

    // The administrator switches to the shop's tenant in the dashboard and sees the same webhook there.
    const admin = await browser.newPage();
    await signIn(admin);
    await admin.getByLabel('Tenant').fill('Shop');
    await admin.getByRole('button', { name: 'Switch' }).click();
    await admin.locator('tbody tr').first().waitFor();
    assert.deepEqual(await admin.locator('tbody tr td:first-child').allInnerTexts(), ["The shop's own hook"]);
    await admin.close();

    const tampered = t.json.Url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    const other = await browser.newPage();
    await other.goto(tampered);
    await other.getByRole('alert').getByText('This portal link is not valid').waitFor();
    await page.close();
    await other.close();
  });
});
