/**
 * Which store the tests run on: SQLite always; PostgreSQL when HOOKD_TEST_DATABASE_URL names a server
 * (`.ci/run` starts one). Each PostgreSQL store gets a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/store.js';

export const POSTGRES_URL = process.env.HOOKD_TEST_DATABASE_URL ?? '';
/** `postgres` when the suites should run on PostgreSQL (run-tests.mjs sets it for the second pass). */
export const TEST_STORE = process.env.HOOKD_TEST_STORE === 'postgres' && POSTGRES_URL ? 'postgres' : 'sqlite';

export async function freshPostgres(): Promise<{ store: PostgresStore; schema: string; drop: () => Promise<void> }> {
  const schema = `hookd_test_${randomBytes(6).toString('hex')}`;
  const store = PostgresStore.open(POSTGRES_URL, schema);
  return {
    store,
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** A store for a test server: undefined means "the one the config names" (SQLite in a temp folder). */
export async function testStore(): Promise<{ store: Store | undefined; cleanup: () => Promise<void> }> {
  if (TEST_STORE !== 'postgres') return { store: undefined, cleanup: async () => undefined };
  const { store, drop } = await freshPostgres();
  return { store, cleanup: drop };
}

/** The real store (or one of its ports) with some members replaced: how a test cuts the database off without a mock of it. */
export function overriding<T extends object = Store>(store: T, overrides: Partial<T>): T {
  return new Proxy(store, {
    get(target, prop) {
      const own = overrides[prop as keyof T];
      if (own !== undefined) return own;
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
