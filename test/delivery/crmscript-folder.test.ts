/**
 * crmscript on a standalone server (issue 23): `--scripts` / HOOKD_SCRIPTS_DIR loads one ES module per script;
 * each call runs in the script's worker thread under HOOKD_SCRIPT_TIMEOUT_MS; a thrown error is a failed attempt
 * at the `handler` stage, a timeout (even a script that never yields) one at the `timeout` stage, and hookd goes on
 * answering; a crmscript webhook naming no handler is refused at save, naming the ones there are. Real HTTP on
 * loopback, a TestClock for the retries, on the store the run names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHookd } from '../../src/hookd.js';
import { runCli } from '../helpers/cli.js';
import { call, startHookd, TestClock, testConfig, type TestServer } from '../helpers/harness.js';

const TIMEOUT_MS = 300;
let dir: string;
let server: TestServer;

const SCRIPTS: Record<string, string> = {
  'Echo.mjs': `export default ({ payload, values, properties }) => ({ event: payload.Event, pk: payload.PrimaryKey, values, properties });`,
  'Throws.mjs': `export default async () => { throw new Error('script said no'); };`,
  'Loops.mjs': `export default () => { for (;;) {} };`,
  'Hangs.mjs': `export default () => new Promise(() => {});`,
  'notes.txt': 'not a script',
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookd-scripts-'));
  for (const [file, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, file), text);
  server = await startHookd({ scriptsDir: dir, scriptTimeoutMs: TIMEOUT_MS }, { clock: new TestClock() });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function scriptHook(script: string, events = ['contact.changed']): Promise<number> {
  const res = await call(server.url, 'POST', '/api/v1/Webhook', {
    body: { Name: script, Events: events, Type: 'crmscript', TargetUrl: script, Properties: { mode: 'sync' } },
  });
  assert.equal(res.status, 200, res.text);
  return res.json.WebhookId;
}
const get = async (id: number) => (await call(server.url, 'GET', `/api/v1/Webhook/${id}`)).json;
const attempts = async (id: number) =>
  ((await call(server.url, 'GET', `/api/v1/Webhook/${id}/Deliveries`)).json.Items as any[]).flatMap((d) => d.Attempts);

describe('crmscript handlers from a scripts folder', () => {
  it('refuses at save a crmscript webhook whose script no handler serves, naming the ones there are', async () => {
    const res = await call(server.url, 'POST', '/api/v1/Webhook', {
      body: { Name: 'missing', Events: ['contact.changed'], Type: 'crmscript', TargetUrl: 'Missing' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.ErrorCode, 'invalid_field');
    assert.deepEqual(res.json.Errors, [
      {
        Property: 'TargetUrl',
        Rule: "names the crmscript 'Missing', which no handler serves; the handlers are 'Echo', 'Hangs', 'Loops', 'Throws'",
      },
    ]);
    // Changing a saved one to a missing script is refused too; keeping its name (to stop it, say) is not checked.
    const id = await scriptHook('Echo', ['noop.event']);
    const put = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { TargetUrl: 'notes' },
    });
    assert.equal(put.status, 400, put.text);
    const stop = await call(server.url, 'PATCH', `/api/v1/Webhook/${id}`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { State: 'Stopped' },
    });
    assert.equal(stop.status, 200, stop.text);
  });

  it('runs a script with the payload, the changed values and the Properties; TestWebhook shows what it returned', async () => {
    const id = await scriptHook('Echo');
    const signal = await call(server.url, 'POST', '/api/v1/Webhook/contact.changed/42', { body: { Changes: ['name'], name: 'Acme' } });
    assert.equal(signal.status, 204);
    await server.deliver();
    const w = await get(id);
    assert.deepEqual([w.TotalCalls, w.TotalErrors, w.LastError], [1, 0, '']);
    const test = await call(server.url, 'POST', '/api/v1/Webhook/Test', {
      body: { Name: 't', Events: ['contact.changed'], Type: 'crmscript', TargetUrl: 'Echo', Properties: { mode: 'sync' } },
    });
    assert.equal(test.status, 200, test.text);
    assert.equal(test.json.Success, true);
    assert.deepEqual(JSON.parse(test.json.Message), { event: 'test', pk: 0, values: {}, properties: { mode: 'sync' } });
  });

  it('a thrown error is a failed attempt at the handler stage', async () => {
    const id = await scriptHook('Throws', ['throws.now']);
    await call(server.url, 'POST', '/api/v1/Webhook/throws.now/1', { body: {} });
    await server.deliver();
    const w = await get(id);
    assert.deepEqual([w.TotalCalls, w.TotalErrors, w.ConsecutiveErrors], [1, 1, 1]);
    assert.equal(w.LastError, '[handler] script said no');
    assert.deepEqual(
      (await attempts(id)).map((a) => [a.Outcome, a.Stage]),
      [['failure', 'handler']],
    );
  });

  for (const script of ['Loops', 'Hangs']) {
    it(`a script that ${script === 'Loops' ? 'never yields (for (;;) {})' : 'never settles'} is stopped at the time limit: a failed attempt at the timeout stage; hookd and the other scripts go on`, async () => {
      const id = await scriptHook(script, [`${script.toLowerCase()}.now`]);
      const started = Date.now();
      await call(server.url, 'POST', `/api/v1/Webhook/${script.toLowerCase()}.now/1`, { body: {} });
      const health = call(server.url, 'GET', '/healthz', { auth: null });
      await server.deliver();
      assert.equal((await health).status, 200, 'hookd answered while the script ran');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= TIMEOUT_MS - 20 && elapsed < TIMEOUT_MS + 3000, `stopped after ${elapsed} ms`);
      const w = await get(id);
      assert.deepEqual([w.TotalCalls, w.TotalErrors], [1, 1]);
      assert.equal(w.LastError, `[timeout] script '${script}' did not finish within ${TIMEOUT_MS} ms; its worker was stopped`);
      assert.deepEqual(
        (await attempts(id)).map((a) => [a.Outcome, a.Stage]),
        [['failure', 'timeout']],
      );
      // A new worker takes the next call: the retry times out again (not "worker exited"), and Echo still answers.
      await call(server.url, 'POST', `/api/v1/Webhook/${script.toLowerCase()}.now/2`, { body: {} });
      await server.deliver();
      assert.match((await get(id)).LastError, /^\[timeout\]/);
      const echo = await call(server.url, 'POST', '/api/v1/Webhook/Test', {
        body: { Name: 't', Events: ['a.b'], Type: 'crmscript', TargetUrl: 'Echo' },
      });
      assert.equal(echo.json.Success, true);
    });
  }
});

describe('loading a scripts folder', () => {
  it('stops the start naming every script that does not load, and a folder that cannot be read', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'hookd-bad-scripts-'));
    try {
      writeFileSync(join(bad, 'Broken.mjs'), 'export default (;');
      writeFileSync(join(bad, 'NoHandler.mjs'), 'export const x = 1;');
      writeFileSync(join(bad, 'Fine.mjs'), 'export default () => 1;');
      await assert.rejects(createHookd(testConfig(bad, {}, { scriptsDir: bad })), (e: Error) => {
        assert.match(e.message, /2 script\(s\) did not load/);
        assert.match(e.message, /crmscript 'Broken': /);
        assert.match(e.message, /crmscript 'NoHandler': exports no handler/);
        assert.doesNotMatch(e.message, /Fine/);
        return true;
      });
      await assert.rejects(createHookd(testConfig(bad, {}, { scriptsDir: join(bad, 'nope') })), /cannot read the folder .*ENOENT/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('hookd serve takes --scripts', async () => {
    const help = await runCli(['serve', '--help']);
    assert.match(help.stdout, /--scripts <folder>/);
    assert.match(help.stdout, /HOOKD_SCRIPT_TIMEOUT_MS/);
  });
});
