/**
 * Durability: hookd runs as its own process; events are signalled under load; the process is killed with
 * SIGKILL mid-load and restarted on the same data. Every acknowledged event must reach the receiver.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { call, webhookBody } from '../helpers/harness.js';
import { freePort, spawnHookd } from '../helpers/process.js';
import { Receiver } from '../helpers/receiver.js';

let receiver: Receiver;
let dataDir: string;

before(async () => {
  // A receiver that takes a moment, so that deliveries are in flight when the process dies.
  receiver = await Receiver.start(async (_req, res) => {
    await new Promise((r) => setTimeout(r, 2));
    res.end('ok');
  });
  dataDir = mkdtempSync(join(tmpdir(), 'hookd-crash-'));
});
after(async () => {
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('crash and restart', () => {
  it('delivers every acknowledged event after a SIGKILL mid-load', { timeout: 120_000 }, async () => {
    const port = await freePort();
    let hookd = await spawnHookd(dataDir, port);
    const created = await call(hookd.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/crash`, { Events: ['contact.*'] }),
    });
    assert.equal(created.status, 200, created.text);

    const acknowledged = new Set<number>();
    const BATCHES = 60;
    const PER_BATCH = 50;
    let sent = 0;
    const sender = (async () => {
      for (let b = 0; b < BATCHES; b++) {
        const items = Array.from({ length: PER_BATCH }, (_, i) => ({ EventName: 'contact.changed', PrimaryKey: b * PER_BATCH + i + 1 }));
        try {
          const res = await call(hookd.url, 'POST', '/api/v1/Webhook/Events', { body: items });
          if (res.status === 204) for (const it of items) acknowledged.add(it.PrimaryKey);
        } catch {
          // the process is gone: this batch was not acknowledged
        }
        sent++;
      }
    })();
    // Kill it once deliveries are flowing and more events are arriving.
    while (receiver.count < 300 || sent < 15) await new Promise((r) => setTimeout(r, 5));
    hookd.child.kill('SIGKILL');
    await hookd.exited;
    await sender;
    const receivedBeforeRestart = receiver.count;
    assert.ok(acknowledged.size >= 15 * PER_BATCH, `acknowledged ${acknowledged.size}`);
    assert.ok(receivedBeforeRestart < acknowledged.size, 'the kill came before everything was delivered');

    hookd = await spawnHookd(dataDir, port);
    const keys = () => new Set(receiver.received.map((r) => JSON.parse(r.body.toString()).PrimaryKey as number));
    const deadline = Date.now() + 60_000;
    const missingNow = () => {
      const got = keys();
      return [...acknowledged].filter((k) => !got.has(k));
    };
    while (missingNow().length > 0) {
      if (Date.now() > deadline) {
        const missing = missingNow();
        assert.fail(`${missing.length} acknowledged events never arrived, e.g. ${missing.slice(0, 5).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const duplicates = receiver.count - keys().size;
    // At least once: the only duplicates are attempts that were in flight when the process died.
    assert.ok(duplicates <= 512, `duplicates (${duplicates}) are bounded by what can be in flight`);
    const stats = await call(hookd.url, 'GET', `/api/v1/Webhook/${created.json.WebhookId}`);
    assert.equal(stats.json.TotalErrors, 0);
    console.log(
      `crash test: acknowledged ${acknowledged.size}, received ${receiver.count} (${duplicates} duplicates), ${receivedBeforeRestart} before the restart`,
    );

    hookd.child.kill('SIGTERM');
    assert.equal(await hookd.exited, 0, 'SIGTERM shuts down cleanly');
  });
});
