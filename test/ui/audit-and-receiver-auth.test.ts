/**
 * The dashboard's issue-25 pages in Chromium: a webhook's receiver authentication shown (never a secret) and edited
 * in the form (a saved form keeps the stored password), and the Audit log page with its filters; both accessible.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ADMIN, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

declare const window: any;
declare const document: any;

const CHROMIUM = process.env.HOOKD_CHROMIUM ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const skip = existsSync(CHROMIUM) ? false : process.env.CI ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let server: TestServer;
let receiver: Receiver;
let browser: Browser;
let page: Page;
let id: number;
// The ticket cookie's expiry must lie ahead of the browser's own clock.
const clock = new TestClock(Date.now());

before(async () => {
  if (skip) return;
  receiver = await Receiver.start();
  server = await startHookd({}, { clock });
  const created = await call(server.url, 'POST', '/api/v1/Webhook', {
    body: webhookBody(`${receiver.url}/ui`, {
      Name: 'ui auth hook',
      ReceiverAuth: { Basic: { UserName: 'ui-user', Password: 'ui-pass-1' } },
    }),
  });
  assert.equal(created.status, 200, created.text);
  id = created.json.WebhookId;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => assert.fail(`a script error in the page: ${e.message}`));
  await page.goto(`${server.url}/ui/`);
  await page.getByLabel('User name').fill(ADMIN.user);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
});
after(async () => {
  if (skip) return;
  await browser.close();
  await server.close();
  await receiver.close();
});

async function assertAccessible(what: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help }));
  })) as Array<{ id: string; impact: string }>;
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${what}: ${JSON.stringify(serious)}`);
}

describe('issue 25 in the dashboard', { skip }, () => {
  it("shows a webhook's receiver authentication without its password, and a saved form keeps the password", async () => {
    await page.goto(`${server.url}/ui/#/webhooks/${id}`);
    await page.getByRole('heading', { name: 'Receiver authentication' }).waitFor();
    assert.match(await page.locator('dl').last().innerText(), /Basic auth\s+ui-user/);
    assert.ok(!(await page.content()).includes('ui-pass-1'));
    await assertAccessible('webhook page');

    await page.goto(`${server.url}/ui/#/webhooks/${id}/edit`);
    await page.getByLabel('Basic auth user').waitFor();
    assert.equal(await page.getByLabel('Basic auth user').inputValue(), 'ui-user');
    assert.equal(await page.getByLabel('Basic auth password').inputValue(), '', 'the password is never filled in');
    await page.getByLabel('OAuth2 token URL').fill('http://not-https.example/token');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.field-error').first().waitFor();
    assert.match(await page.locator('.field-error').first().innerText(), /OAuth2|Basic|choose one|TokenUrl/);
    await page.getByLabel('OAuth2 token URL').fill('');
    await page.getByLabel('Description').fill('saved from the dashboard');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`#/webhooks/${id}$`));
    const after = await call(server.url, 'GET', `/api/v1/Webhook/${id}`);
    assert.equal(after.json.Description, 'saved from the dashboard');
    assert.deepEqual(after.json.ReceiverAuth, { Basic: { UserName: 'ui-user' } });
    await assertAccessible('webhook form');
  });

  it('lists the audit log and filters it by webhook', async () => {
    await page.goto(`${server.url}/ui/#/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    const text = await page.locator('table').innerText();
    assert.match(text, /webhook\.create/);
    assert.match(text, /webhook\.update/);
    assert.ok(!text.includes('ui-pass-1'));
    await page.getByLabel('Webhook id').fill('999');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No changes recorded.').waitFor();
    await assertAccessible('audit page');
  });
});
