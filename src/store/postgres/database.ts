/** The PostgreSQL connection pool, transactions, and schema migrations that are safe when many processes start at once. */
import pg from 'pg';
import { readMigrations } from '../migration-files.js';

export type Client = pg.PoolClient | pg.Pool;

/** bigint (ids, epoch-ms times) and count(*) as JS numbers: every value hookd keeps is below 2^53. */
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format),
};

export function openPool(url: string, schema: string | null): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: types as never,
    // An unreachable server fails a request within 5 s (503) instead of leaving it waiting for ever.
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    // A schema of its own (tests) is chosen at connect time, so every pooled connection uses it.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection that the server drops is removed by the pool; without a listener the error would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Ignores the 'error' event of a checked-out connection: its pending query rejects with the same error. */
function ignoreErrorEvents(): void {}

export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A lost connection both rejects the query and emits 'error'; unheard, the event would end the process.
  client.on('error', ignoreErrorEvents);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    // A failed ROLLBACK means the connection itself is gone: it must not go back to the pool.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw e;
  } finally {
    client.off('error', ignoreErrorEvents);
    client.release(broken);
  }
}

/** An arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 727_274_001;

export async function migrate(pool: pg.Pool, schema: string | null): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied bigint NOT NULL)',
    );
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of readMigrations(new URL('./migrations/', import.meta.url))) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
