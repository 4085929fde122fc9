/** "Online Restricted" grants in SQLite (domain/app-access.ts): the table of migration 009. */
import type { AppGrant } from '../../domain/app-access.js';
import { type Db, q } from './database.js';

interface GrantRow {
  token_hash: string;
  name: string;
  granted: number;
  granted_by: number;
}

const toGrant = (r: GrantRow): AppGrant => ({ tokenHash: r.token_hash, name: r.name, granted: r.granted, grantedBy: r.granted_by });

/** Every grant, oldest first. */
export function listAppGrants(db: Db): AppGrant[] {
  return (q(db, 'SELECT * FROM app_grants ORDER BY granted, token_hash').all() as GrantRow[]).map(toGrant);
}

/** The grant of one application (by its token's hash), or null. */
export function findAppGrant(db: Db, tokenHash: string): AppGrant | null {
  const row = q(db, 'SELECT * FROM app_grants WHERE token_hash = ?').get(tokenHash) as GrantRow | undefined;
  return row ? toGrant(row) : null;
}

/** Grants (or renames and re-dates) an application; returns the grant as stored. */
export function putAppGrant(db: Db, g: AppGrant): AppGrant {
  q(
    db,
    `INSERT INTO app_grants (token_hash, name, granted, granted_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (token_hash) DO UPDATE SET name = excluded.name, granted = excluded.granted, granted_by = excluded.granted_by`,
  ).run(g.tokenHash, g.name, g.granted, g.grantedBy);
  return g;
}

/** Takes a grant back; false when there was none. */
export function deleteAppGrant(db: Db, tokenHash: string): boolean {
  return q(db, 'DELETE FROM app_grants WHERE token_hash = ?').run(tokenHash).changes > 0;
}
