/**
 * Crash at random points, again and again: hookd (its own process) takes events while a receiver fails
 * every fifth request, and is killed with SIGKILL at a random moment, five times. Afterwards every
 * acknowledged event has been delivered at least once, and each webhook counter equals what its delivery
 * log holds (calls = attempts recorded, errors = failed attempts recorded).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { call, webhookBody } from '../helpers/harness.js';
import { freePort, type HookdProcess, spawnHookd } from '../helpers/process.js';
import { Receiver } from '../helpers/receiver.js';

const ROUNDS = 5;
const ENV = { HOOKD_RETRY_DELAYS_MS: '20,40', HOOKD_MAX_CONSECUTIVE_ERRORS: '100000', HOOKD_POLL_INTERVAL_MS: '100' };

/** A small seeded generator (mulberry32), so a failing run can be repeated with HOOKD_CRASH_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let receiver: Receiver;
let dataDir: string;
const succeeded = new Set<number>();
let requests = 0;

before(async () => {
  receiver = await Receiver.start(async (req, res) => {
    requests++;
    if (requests % 5 === 0) {
      res.statusCode = 500;
      res.end('every fifth request fails');
      return;
    }
    await new Promise((r) => setTimeout(r, 1));
    succeeded.add((JSON.parse(req.body.toString('utf8')) as { PrimaryKey: number }).PrimaryKey);
    res.end('ok');
  });
  dataDir = mkdtempSync(join(tmpdir(), 'hookd-crashes-'));
});
after(async () => {
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('repeated crashes at random points', () => {
  it(
    `loses no acknowledged event over ${ROUNDS} SIGKILLs, and keeps counters equal to the delivery log`,
    { timeout: 180_000 },
    async () => {
      const seed = Number(process.env.HOOKD_CRASH_SEED ?? Date.now() % 1_000_000);
      const next = random(seed);
      const port = await freePort();
      let hookd: HookdProcess = await spawnHookd(dataDir, port, ENV);
      const created = await call(hookd.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/crashes`) });
      assert.equal(created.status, 200, created.text);

      const acknowledged = new Set<number>();
      let key = 0;
      for (let round = 0; round < ROUNDS; round++) {
        let stop = false;
        const load = (async () => {
          while (!stop) {
            const items = Array.from({ length: 20 }, () => ({ EventName: 'contact.created', PrimaryKey: ++key }));
            try {
              const res = await call(hookd.url, 'POST', '/api/v1/Webhook/Events', { body: items });
              if (res.status === 204) for (const it of items) acknowledged.add(it.PrimaryKey);
            } catch {
              return; // the process is gone: this batch was not acknowledged
            }
          }
        })();
        await new Promise((r) => setTimeout(r, 150 + Math.floor(next() * 750)));
        hookd.child.kill('SIGKILL');
        await hookd.exited;
        stop = true;
        await load;
        hookd = await spawnHookd(dataDir, port, ENV);
      }

      const deadline = Date.now() + 90_000;
      while ([...acknowledged].some((k) => !succeeded.has(k))) {
        if (Date.now() > deadline) {
          const missing = [...acknowledged].filter((k) => !succeeded.has(k));
          assert.fail(`seed ${seed}: ${missing.length} acknowledged events never delivered, e.g. ${missing.slice(0, 5).join(', ')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      hookd.child.kill('SIGTERM');
      assert.equal(await hookd.exited, 0);

      const db = new Database(join(dataDir, 'hookd.db'), { readonly: true });
      try {
        const w = db.prepare('SELECT total_calls, total_errors FROM webhooks WHERE id = ?').get(created.json.WebhookId) as {
          total_calls: number;
          total_errors: number;
        };
        const log = db
          .prepare(
            // A first attempt that succeeded is kept in its delivery's row (migration 013): one call, no error.
            `SELECT (SELECT count(*) FROM attempts WHERE webhook_id = @w) + (SELECT count(*) FROM deliveries WHERE webhook_id = @w AND ok_status IS NOT NULL) AS calls,
                    (SELECT coalesce(sum(outcome <> 'success'), 0) FROM attempts WHERE webhook_id = @w) AS errors`,
          )
          .get({ w: created.json.WebhookId }) as { calls: number; errors: number };
        const queued = db.prepare('SELECT count(*) AS n FROM deliveries WHERE status = 0').get() as { n: number };
        assert.equal(w.total_calls, log.calls, `seed ${seed}: TotalCalls equals the attempts in the log`);
        assert.equal(w.total_errors, log.errors, `seed ${seed}: TotalErrors equals the failed attempts in the log`);
        assert.equal(queued.n, 0, 'nothing left queued');
        assert.ok(log.errors > 0, 'failures were part of the run');
        console.log(
          `repeated crashes (seed ${seed}): ${ROUNDS} SIGKILLs, ${acknowledged.size} events acknowledged, 0 lost, ` +
            `${receiver.count} requests received, ${w.total_calls} attempts recorded (${w.total_errors} failed)`,
        );
      } finally {
        db.close();
      }
    },
  );
});
