/**
 * Three hookd processes on one PostgreSQL database deliver a few thousand events together; one is killed
 * with SIGKILL mid-way. Every event arrives; the only duplicates are attempts the killed process made but
 * never recorded; the counters in the database match what the receiver saw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, webhookBody } from '../helpers/harness.js';
import { type HookdProcess, freePort, spawnHookd } from '../helpers/process.js';
import { Receiver } from '../helpers/receiver.js';
import { POSTGRES_URL, freshPostgres } from '../helpers/stores.js';

describe(
  'several processes on one PostgreSQL database',
  { skip: POSTGRES_URL ? false : 'set HOOKD_TEST_DATABASE_URL (.ci/run does)' },
  () => {
    it('split the work, lose nothing when one is killed, and keep exact counters', { timeout: 120_000 }, async () => {
      const receiver = await Receiver.start(async (_req, res) => {
        await new Promise((r) => setTimeout(r, 1));
        res.end('ok');
      });
      const { store, schema, drop } = await freshPostgres();
      await store.migrate(); // the schema exists before the processes start; their own migrations then find nothing to do
      await store.close();
      const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const env = { HOOKD_DATABASE_URL: url, HOOKD_ATTEMPT_TIMEOUT_MS: '2000', HOOKD_POLL_INTERVAL_MS: '200' };
      const procs: HookdProcess[] = [];
      try {
        for (let i = 0; i < 3; i++) procs.push(await spawnHookd('/nonexistent-unused', await freePort(), env));
        const [a, b, c] = procs as [HookdProcess, HookdProcess, HookdProcess];
        const created = await call(a.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/mp`, { Events: ['sale.*'] }) });
        assert.equal(created.status, 200, created.text);

        const TOTAL = 3000;
        const BATCH = 100;
        for (let i = 0; i < TOTAL; i += BATCH) {
          const target = procs[(i / BATCH) % 3]!;
          const items = Array.from({ length: BATCH }, (_, k) => ({ EventName: 'sale.changed', PrimaryKey: i + k + 1 }));
          const res = await call(target.url, 'POST', '/api/v1/Webhook/Events', { body: items });
          assert.equal(res.status, 204);
        }
        while (receiver.count < 600) await new Promise((r) => setTimeout(r, 5));
        b.child.kill('SIGKILL');
        await b.exited;

        const unique = () => new Set(receiver.received.map((r) => JSON.parse(r.body.toString()).PrimaryKey as number));
        const deadline = Date.now() + 60_000;
        while (unique().size < TOTAL) {
          if (Date.now() > deadline) assert.fail(`only ${unique().size} of ${TOTAL} events arrived`);
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 300)); // let the last results be recorded
        const stats = (await call(c.url, 'GET', `/api/v1/Webhook/${created.json.WebhookId}`)).json;
        const duplicates = receiver.count - unique().size;
        assert.equal(stats.TotalCalls, TOTAL, 'each delivery recorded exactly once in the database');
        assert.equal(stats.TotalErrors, 0);
        assert.equal(receiver.count - stats.TotalCalls, duplicates, 'every duplicate is an attempt nobody recorded: the killed process');
        assert.ok(duplicates <= 16, `duplicates (${duplicates}) are at most what one process may have in flight for one webhook`);
        for (const p of [a, c]) {
          const health = (await call(p.url, 'GET', '/healthz', { auth: null })).json;
          assert.ok(health.worker.attemptsMade > 0, 'every surviving process delivered a share');
        }
        console.log(`multi-process: ${TOTAL} events, ${receiver.count} requests received, ${duplicates} duplicates after the SIGKILL`);
      } finally {
        for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
        await receiver.close();
        await drop();
      }
    });
  },
);
