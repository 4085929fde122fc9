/**
 * Processes sharing PostgreSQL: a webhook given back with work still queued (its owner stops, or its share shrank
 * when another process joined) is taken by another process at once — the exchange that gives it back wakes the
 * others — not at their next poll. Two processes sharing 100 webhooks delivered 0.40 of one process while
 * given-back webhooks waited for a poll (issue 22). PostgreSQL only: SQLite has one process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHookd, type Hookd } from '../../src/hookd.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { call, testConfig, waitUntil, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { freshPostgres, TEST_STORE } from '../helpers/stores.js';

/** Longer than the test may take: a process that waited for its poll would fail it. */
const POLL_MS = 120_000;

describe('a webhook given back with work queued', { skip: TEST_STORE !== 'postgres' && 'PostgreSQL only' }, () => {
  let receiver: Receiver;
  let drop: () => Promise<void>;
  const servers: Array<{ hookd: Hookd; url: string; dataDir: string; closed: boolean }> = [];

  before(async () => {
    // Each answer takes 20 ms and one is in flight at a time: 200 deliveries take 4 s, and outlive the first owner.
    receiver = await Receiver.start((_req, res) => {
      setTimeout(() => res.end('ok'), 20);
    });
    const db = await freshPostgres();
    drop = db.drop;
    await db.store.migrate();
    await db.store.close();
    // Processes that share a database share its encryption key (README): each seals and opens the webhooks' secrets.
    const encryptionKey = randomBytes(32).toString('base64');
    for (let i = 0; i < 2; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'hookd-hand-over-'));
      const config = testConfig(dataDir, {}, { pollIntervalMs: POLL_MS, maxInFlightPerWebhook: 1, encryptionKey });
      const hookd = await createHookd(config, { store: PostgresStore.open(process.env.HOOKD_TEST_DATABASE_URL ?? '', db.schema) });
      servers.push({ hookd, url: await hookd.listen(), dataDir, closed: false });
    }
  });
  after(async () => {
    for (const s of servers) {
      if (!s.closed) await s.hookd.close();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
    await receiver.close();
    await drop();
  });

  it('is taken by the other process at once when its owner stops, not after a poll interval', async () => {
    const [a] = servers as [(typeof servers)[0]];
    const w = await call(a.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/hand-over`) });
    assert.equal(w.status, 200, w.text);
    const deliveries = () => receiver.received.filter((r) => r.path === '/hand-over' && r.headers['x-hook-test'] !== 'true').length;
    const events = Array.from({ length: 200 }, (_, i) => ({ EventName: 'contact.created', PrimaryKey: i + 1 }));
    assert.equal((await call(a.url, 'POST', '/api/v1/Webhook/Events', { body: events })).status, 204);
    // Whichever process took it (both were woken by the event) sends a few, then stops with the rest queued.
    await waitUntil(() => deliveries() >= 3, 10_000, 'the first deliveries');
    const owner = servers.find((s) => (s.hookd.worker?.ownedWebhooks ?? 0) > 0);
    assert.ok(owner, 'one process owns the webhook');
    await owner.hookd.close();
    owner.closed = true;
    const sentByOwner = owner.hookd.worker?.attemptsMade ?? 0;
    assert.ok(sentByOwner < 150, `the owner stopped with deliveries queued (${sentByOwner} of 200 sent)`);
    await waitUntil(() => deliveries() >= 200, 20_000, 'the rest, sent by the other process well before its next poll');
    const other = servers.find((s) => s !== owner)!;
    const sentByOther = () => other.hookd.worker?.attemptsMade ?? 0;
    await waitUntil(() => sentByOwner + sentByOther() >= 200, 5_000, 'the last answer settled');
    assert.equal(sentByOwner + sentByOther(), 200, 'the other process sent the rest');
    assert.equal(deliveries(), 200, 'none twice');
  });
});
