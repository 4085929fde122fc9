/**
 * Replicas started at the same moment on an empty PostgreSQL database (what compose or Kubernetes does with two
 * replicas): both migrate (serialised by an advisory lock) and both start; the first administrator is created once.
 * One used to exit with `duplicate key value violates unique constraint "associates_user_name"` (issue 26).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { basic, call } from '../helpers/harness.js';
import { type HookdProcess, freePort, spawnHookd } from '../helpers/process.js';
import { POSTGRES_URL, freshPostgres } from '../helpers/stores.js';

describe('replicas that start together', { skip: POSTGRES_URL ? false : 'set HOOKD_TEST_DATABASE_URL (.ci/run does)' }, () => {
  // Three rounds, each on a new empty schema: a race goes a different way each time, so one round proves little.
  for (const round of [1, 2, 3])
    it(`start on one empty database, and the administrator is created once (round ${round})`, { timeout: 120_000 }, async () => {
      const { store, schema, drop } = await freshPostgres();
      await store.close(); // its schema name only: the processes find an empty schema and migrate it themselves
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const env = { HOOKD_DATABASE_URL: url };
      const procs: HookdProcess[] = [];
      try {
        const started = await Promise.allSettled([1, 2, 3].map(async () => spawnHookd('/nonexistent-unused', await freePort(), env)));
        for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
        const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason).slice(0, 400)] : []));
        assert.deepEqual(failures, [], 'every replica starts');
        for (const p of procs) assert.equal((await call(p.url, 'GET', '/api/v1/Webhook', { auth: basic() })).status, 200);
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        try {
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${schema}.associates`);
          assert.equal(rows[0].n, 1, 'one administrator');
        } finally {
          await client.end();
        }
      } finally {
        for (const p of procs) {
          p.child.kill('SIGTERM');
          await p.exited;
        }
        await drop();
      }
    });
});
