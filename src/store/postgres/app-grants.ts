/** "Online Restricted" grants on PostgreSQL (domain/app-access.ts): the table of migration 009. */
import type { AppGrants } from '../app-grants.js';
import type { AppGrant } from '../../domain/app-access.js';
import type pg from 'pg';

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

/** The AppGrants port on PostgreSQL. */
export class PostgresAppGrants implements AppGrants {
  constructor(private readonly pool: pg.Pool) {}

  /** Every grant, oldest first. */
  async listAppGrants(): Promise<AppGrant[]> {
    const { rows } = await this.pool.query<GrantRow>('SELECT * FROM app_grants ORDER BY granted, token_hash');
    return rows.map(toGrant);
  }

  /** The grant of one application (by its token's hash), or null. */
  async findAppGrant(tokenHash: string): Promise<AppGrant | null> {
    const { rows } = await this.pool.query<GrantRow>('SELECT * FROM app_grants WHERE token_hash = $1', [tokenHash]);
    return rows[0] ? toGrant(rows[0]) : null;
  }

  /** Grants (or renames and re-dates) an application; returns the grant as stored. */
  async putAppGrant(g: AppGrant): Promise<AppGrant> {
    await this.pool.query(
      `INSERT INTO app_grants (token_hash, name, granted, granted_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (token_hash) DO UPDATE SET name = excluded.name, granted = excluded.granted, granted_by = excluded.granted_by`,
      [g.tokenHash, g.name, g.granted, g.grantedBy],
    );
    return g;
  }

  /** Takes a grant back; false when there was none. */
  async deleteAppGrant(tokenHash: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM app_grants WHERE token_hash = $1', [tokenHash]);
    return (result.rowCount ?? 0) > 0;
  }
}
