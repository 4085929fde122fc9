/**
 * Three hookd processes on one PostgreSQL database deliver to six webhooks together; one is killed with
 * SIGKILL mid-way. Each process owns about a third of the webhooks (fair share); the killed process's
 * webhooks are taken over when their leases expire; every event arrives; the only duplicates are attempts
 * the killed process made but never recorded; each webhook's counters match what its receiver saw; and no
 * webhook ever has more requests in flight than its limit, across all processes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, webhookBody } from '../helpers/harness.js';
import { type HookdProcess, freePort, spawnHookd } from '../helpers/process.js';
import { Receiver } from '../helpers/receiver.js';
import { POSTGRES_URL, freshPostgres } from '../helpers/stores.js';

const WEBHOOKS = 6;
const EVENTS = 500;
const PER_WEBHOOK_LIMIT = 4;

describe(
  'several processes on one PostgreSQL database',
  { skip: POSTGRES_URL ? false : 'set HOOKD_TEST_DATABASE_URL (.ci/run does)' },
  () => {
    it(
      'share the webhooks, lose nothing when one is killed, keep exact counters and the per-webhook limit',
      { timeout: 120_000 },
      async () => {
        const inFlight = new Map<string, number>();
        const maxInFlight = new Map<string, number>();
        const receiver = await Receiver.start(async (req, res) => {
          const path = req.path;
          inFlight.set(path, (inFlight.get(path) ?? 0) + 1);
          maxInFlight.set(path, Math.max(maxInFlight.get(path) ?? 0, inFlight.get(path)!));
          await new Promise((r) => setTimeout(r, 2));
          inFlight.set(path, inFlight.get(path)! - 1);
          res.end('ok');
        });
        const { store, schema, drop } = await freshPostgres();
        await store.migrate(); // the schema exists before the processes start; their own migrations then find nothing to do
        await store.close();
        const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
        const env = {
          HOOKD_DATABASE_URL: url,
          HOOKD_ATTEMPT_TIMEOUT_MS: '2000',
          HOOKD_POLL_INTERVAL_MS: '200',
          HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK: String(PER_WEBHOOK_LIMIT),
        };
        const procs: HookdProcess[] = [];
        try {
          for (let i = 0; i < 3; i++) procs.push(await spawnHookd('/nonexistent-unused', await freePort(), env));
          const [a, b, c] = procs as [HookdProcess, HookdProcess, HookdProcess];
          const ids: number[] = [];
          for (let w = 0; w < WEBHOOKS; w++) {
            const created = await call(a.url, 'POST', '/api/v1/Webhook', {
              body: webhookBody(`${receiver.url}/mp${w}`, { Name: `mp${w}`, Events: ['sale.*'] }),
            });
            assert.equal(created.status, 200, created.text);
            ids.push(created.json.WebhookId);
          }

          const BATCH = 50;
          for (let i = 0; i < EVENTS; i += BATCH) {
            const target = procs[(i / BATCH) % 3]!;
            const items = Array.from({ length: BATCH }, (_, k) => ({ EventName: 'sale.changed', PrimaryKey: i + k + 1 }));
            const res = await call(target.url, 'POST', '/api/v1/Webhook/Events', { body: items });
            assert.equal(res.status, 204);
          }
          const total = WEBHOOKS * EVENTS;
          while (receiver.count < total / 5) await new Promise((r) => setTimeout(r, 5));
          b.child.kill('SIGKILL');
          await b.exited;

          const unique = () => new Set(receiver.received.map((r) => `${r.path} ${JSON.parse(r.body.toString()).PrimaryKey as number}`));
          const deadline = Date.now() + 60_000;
          while (unique().size < total) {
            if (Date.now() > deadline) assert.fail(`only ${unique().size} of ${total} deliveries arrived`);
            await new Promise((r) => setTimeout(r, 100));
          }
          await new Promise((r) => setTimeout(r, 300)); // let the last results be recorded
          let calls = 0;
          for (const [w, id] of ids.entries()) {
            const stats = (await call(c.url, 'GET', `/api/v1/Webhook/${id}`)).json;
            const seen = receiver.received.filter((r) => r.path === `/mp${w}`).length;
            const duplicates = seen - EVENTS;
            assert.equal(stats.TotalErrors, 0);
            assert.equal(stats.TotalCalls, EVENTS, `webhook ${w}: each delivery recorded exactly once in the database`);
            // What README's durability row promises: in flight plus results awaiting a group commit, at most 2 × the limit
            // + a group commit's 16 × the limit (attempts.ts unrecordedBound; 4 × before issue 22's third step, then 8). This test
            // asserted 2 × the limit, which the group commit (issue 22) kept only while exchanges were slow: CI's Node 24 run saw 9 of 8.
            assert.ok(
              duplicates <= 18 * PER_WEBHOOK_LIMIT,
              `webhook ${w}: duplicates (${duplicates}) are at most in flight + awaiting the next group commit (18 × its in-flight limit)`,
            );
            calls += stats.TotalCalls;
          }
          assert.equal(calls, total);
          for (const [path, max] of maxInFlight) assert.ok(max <= PER_WEBHOOK_LIMIT, `${path} had ${max} requests in flight at once`);
          for (const p of [a, c]) {
            const health = (await call(p.url, 'GET', '/healthz', { auth: null })).json;
            assert.ok(health.worker.attemptsMade > 0, 'every surviving process delivered a share');
          }
          console.log(
            `multi-process: ${total} deliveries, ${receiver.count} requests received, ${receiver.count - total} duplicates after the SIGKILL, ` +
              `most in flight for one webhook: ${Math.max(...maxInFlight.values())}`,
          );
        } finally {
          for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
          await receiver.close();
          await drop();
        }
      },
    );
  },
);
