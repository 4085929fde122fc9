/** "Online Restricted" grants in SQLite (domain/app-access.ts): the table of migration 009. */
import type { AppGrants } from '../app-grants.js';
import type { AppGrant } from '../../domain/app-access.js';
import { type Db, q } from './database.js';

interface GrantRow {
  token_hash: string;
  name: string;
  granted: number;
  granted_by: number;
}

const toGrant = (r: GrantRow): AppGrant => ({ tokenHash: r.token_hash, name: r.name, granted: r.granted, grantedBy: r.granted_by });

/** The AppGrants port on SQLite. */
export class SqliteAppGrants implements AppGrants {
  constructor(private readonly db: Db) {}

  /** Every grant, oldest first. */
  async listAppGrants(): Promise<AppGrant[]> {
    return (q(this.db, 'SELECT * FROM app_grants ORDER BY granted, token_hash').all() as GrantRow[]).map(toGrant);
  }

  /** The grant of one application (by its token's hash), or null. */
  async findAppGrant(tokenHash: string): Promise<AppGrant | null> {
    const row = q(this.db, 'SELECT * FROM app_grants WHERE token_hash = ?').get(tokenHash) as GrantRow | undefined;
    return row ? toGrant(row) : null;
  }

  /** Grants (or renames and re-dates) an application; returns the grant as stored. */
  async putAppGrant(g: AppGrant): Promise<AppGrant> {
    q(
      this.db,
      `INSERT INTO app_grants (token_hash, name, granted, granted_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (token_hash) DO UPDATE SET name = excluded.name, granted = excluded.granted, granted_by = excluded.granted_by`,
    ).run(g.tokenHash, g.name, g.granted, g.grantedBy);
    return g;
  }

  /** Takes a grant back; false when there was none. */
  async deleteAppGrant(tokenHash: string): Promise<boolean> {
    return q(this.db, 'DELETE FROM app_grants WHERE token_hash = ?').run(tokenHash).changes > 0;
  }
}
