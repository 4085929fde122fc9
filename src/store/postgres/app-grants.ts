/** "Online Restricted" grants on PostgreSQL (domain/app-access.ts): the table of migration 009. */
import type { AppGrant } from '../../domain/app-access.js';
import type { Client } from './pool.js';

interface GrantRow {
  token_hash: string;
  name: string;
  granted: string;
  granted_by: string;
}

const toGrant = (r: GrantRow): AppGrant => ({
  tokenHash: r.token_hash,
  name: r.name,
  granted: Number(r.granted),
  grantedBy: Number(r.granted_by),
});

/** Every grant, oldest first. */
export async function listAppGrants(c: Client): Promise<AppGrant[]> {
  const { rows } = await c.query<GrantRow>('SELECT * FROM app_grants ORDER BY granted, token_hash');
  return rows.map(toGrant);
}

/** The grant of one application (by its token's hash), or null. */
export async function findAppGrant(c: Client, tokenHash: string): Promise<AppGrant | null> {
  const { rows } = await c.query<GrantRow>('SELECT * FROM app_grants WHERE token_hash = $1', [tokenHash]);
  return rows[0] ? toGrant(rows[0]) : null;
}

/** Grants (or renames and re-dates) an application; returns the grant as stored. */
export async function putAppGrant(c: Client, g: AppGrant): Promise<AppGrant> {
  await c.query(
    `INSERT INTO app_grants (token_hash, name, granted, granted_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (token_hash) DO UPDATE SET name = excluded.name, granted = excluded.granted, granted_by = excluded.granted_by`,
    [g.tokenHash, g.name, g.granted, g.grantedBy],
  );
  return g;
}

/** Takes a grant back; false when there was none. */
export async function deleteAppGrant(c: Client, tokenHash: string): Promise<boolean> {
  const result = await c.query('DELETE FROM app_grants WHERE token_hash = $1', [tokenHash]);
  return (result.rowCount ?? 0) > 0;
}
