/**
 * Ordering Strict with real processes: 1,000 events arrive in signal order across a failing stretch and a
 * SIGKILL. On SQLite one process is killed and restarted on its data; on PostgreSQL two processes share the
 * database and the one that owns the webhook is killed, so the other (or the restarted one) takes over.
 * "In order" is checked at the receiver, attempt by attempt: no event arrives before every earlier one has
 * been answered 2xx (a crash may repeat the attempt in flight, never jump ahead).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { call, webhookBody } from '../helpers/harness.js';
import { type HookdProcess, freePort, spawnHookd } from '../helpers/process.js';
import { Receiver } from '../helpers/receiver.js';
import { POSTGRES_URL, freshPostgres } from '../helpers/stores.js';

const EVENTS = 1000;

/** A receiver whose events 400–402 fail a few times first (the failing stretch); records every answer. */
async function orderedReceiver() {
  const failuresLeft = new Map([
    [400, 2],
    [401, 4],
    [402, 1],
  ]);
  const answers: Array<{ pk: number; ok: boolean }> = [];
  const receiver = await Receiver.start(async (req, res) => {
    const pk = JSON.parse(req.body.toString()).PrimaryKey as number;
    const left = failuresLeft.get(pk) ?? 0;
    failuresLeft.set(pk, left - 1);
    // A moment in flight, so that the kill can find one.
    await new Promise((r) => setTimeout(r, 1));
    answers.push({ pk, ok: left <= 0 });
    res.statusCode = left > 0 ? 503 : 200;
    res.end();
  });
  return { receiver, answers };
}

function assertInOrder(answers: Array<{ pk: number; ok: boolean }>): void {
  let delivered = 0; // every event up to this one has had a 2xx
  for (const [i, a] of answers.entries()) {
    assert.ok(a.pk <= delivered + 1, `attempt ${i} sent event ${a.pk} while event ${delivered + 1} was not delivered yet`);
    if (a.ok && a.pk === delivered + 1) delivered++;
  }
  assert.equal(delivered, EVENTS, 'every event delivered');
}

async function signalAll(url: string): Promise<void> {
  for (let i = 0; i < EVENTS; i += 100) {
    const items = Array.from({ length: 100 }, (_, k) => ({ EventName: 'contact.changed', PrimaryKey: i + k + 1 }));
    const res = await call(url, 'POST', '/api/v1/Webhook/Events', { body: items });
    assert.equal(res.status, 204, res.text);
  }
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ENV = { HOOKD_ATTEMPT_TIMEOUT_MS: '2000', HOOKD_POLL_INTERVAL_MS: '200' };

describe('Ordering Strict across a crash', () => {
  it('SQLite: 1,000 events in order through a failing stretch and a SIGKILL with a restart', { timeout: 120_000 }, async () => {
    const { receiver, answers } = await orderedReceiver();
    const dataDir = mkdtempSync(join(tmpdir(), 'hookd-strict-'));
    const port = await freePort();
    let hookd: HookdProcess | null = null;
    try {
      hookd = await spawnHookd(dataDir, port, ENV);
      const created = await call(hookd.url, 'POST', '/api/v1/Webhook', {
        body: webhookBody(`${receiver.url}/strict`, { Events: ['contact.changed'], Ordering: 'Strict' }),
      });
      assert.equal(created.status, 200, created.text);
      await signalAll(hookd.url);
      await waitFor(() => answers.filter((a) => a.ok).length >= 500, 60_000, 'half the events');
      hookd.child.kill('SIGKILL');
      await hookd.exited;
      hookd = await spawnHookd(dataDir, port, ENV);
      await waitFor(() => new Set(answers.filter((a) => a.ok).map((a) => a.pk)).size === EVENTS, 60_000, 'every event');
      assertInOrder(answers);
    } finally {
      if (hookd?.child.exitCode === null) hookd.child.kill('SIGKILL');
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it(
    'PostgreSQL: two processes; the owner is killed mid-way and restarted; 1,000 events still in order',
    { timeout: 120_000, skip: POSTGRES_URL ? false : 'set HOOKD_TEST_DATABASE_URL (.ci/run does)' },
    async () => {
      const { receiver, answers } = await orderedReceiver();
      const { store, schema, drop } = await freshPostgres();
      await store.migrate();
      await store.close();
      const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const env = { ...ENV, HOOKD_DATABASE_URL: url };
      const procs: HookdProcess[] = [];
      try {
        for (let i = 0; i < 2; i++) procs.push(await spawnHookd('/nonexistent-unused', await freePort(), env));
        const created = await call(procs[0]!.url, 'POST', '/api/v1/Webhook', {
          body: webhookBody(`${receiver.url}/strict`, { Events: ['contact.changed'], Ordering: 'Strict' }),
        });
        assert.equal(created.status, 200, created.text);
        await signalAll(procs[1]!.url);
        await waitFor(() => answers.filter((a) => a.ok).length >= 500, 60_000, 'half the events');
        const owns = async (p: HookdProcess) => (await call(p.url, 'GET', '/healthz', { auth: null })).json.worker.ownedWebhooks > 0;
        const owner = (await owns(procs[0]!)) ? 0 : 1;
        const victim = procs[owner]!;
        victim.child.kill('SIGKILL');
        await victim.exited;
        procs[owner] = await spawnHookd('/nonexistent-unused', await freePort(), env);
        await waitFor(() => new Set(answers.filter((a) => a.ok).map((a) => a.pk)).size === EVENTS, 90_000, 'every event');
        assertInOrder(answers);
      } finally {
        for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
        await receiver.close();
        await drop();
      }
    },
  );
});
