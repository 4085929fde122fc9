/** The Accounts port on PostgreSQL: tenants, associates and credentials. */
import type { Accounts, NewCredential } from '../accounts.js';
import type pg from 'pg';
import type { Associate, Tenant } from '../../domain/webhook.js';
import type { Credential, CredentialKind, NewAssociate } from '../../domain/credential.js';
import { ASSOCIATE_COLUMNS, type AssociateRow, CREDENTIAL_SELECT, type CredentialRow, toAssociate, toCredential } from '../rows.js';
import { type Client, transaction } from './database.js';

async function tenantNamed(c: Client, identifier: string): Promise<Tenant | null> {
  const { rows } = await c.query<Tenant>('SELECT id, identifier FROM tenants WHERE lower(identifier) = lower($1)', [identifier]);
  return rows[0] ?? null;
}

async function insertAssociate(c: Client, tenantId: number, a: NewAssociate, now: number): Promise<Associate> {
  const { rows } = await c.query<{ id: number }>(
    'INSERT INTO associates (tenant_id, name, user_name, password_hash, is_admin, registered, email) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    [tenantId, a.name, a.userName, a.passwordHash, a.isAdmin ? 1 : 0, now, a.email ?? null],
  );
  return { id: rows[0]!.id, tenantId, name: a.name, userName: a.userName, isAdmin: a.isAdmin, email: a.email ?? null };
}

export class PostgresAccounts implements Accounts {
  constructor(private readonly pool: pg.Pool) {}

  async findTenant(identifier: string): Promise<Tenant | null> {
    return tenantNamed(this.pool, identifier);
  }

  async createTenant(identifier: string, admin: Omit<NewAssociate, 'isAdmin'>, now: number) {
    return transaction(this.pool, async (c) => {
      await c.query('INSERT INTO tenants (identifier, registered) VALUES ($1, $2)', [identifier, now]);
      const tenant = (await tenantNamed(c, identifier))!;
      return { tenant, associate: await insertAssociate(c, tenant.id, { ...admin, isAdmin: false }, now) };
    });
  }

  async createAssociate(tenantId: number, a: NewAssociate, now: number): Promise<Associate> {
    return insertAssociate(this.pool, tenantId, a, now);
  }

  async countAssociates(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM associates')).rows[0]!.n;
  }

  async ensureTenant(identifier: string, now: number): Promise<Tenant> {
    await this.pool.query('INSERT INTO tenants (identifier, registered) VALUES ($1, $2) ON CONFLICT DO NOTHING', [identifier, now]);
    return (await tenantNamed(this.pool, identifier)) as Tenant;
  }

  async findLogin(tenantId: number, userName: string) {
    const { rows } = await this.pool.query<AssociateRow & { password_hash: string }>(
      `SELECT ${ASSOCIATE_COLUMNS}, password_hash FROM associates WHERE tenant_id = $1 AND lower(user_name) = lower($2)`,
      [tenantId, userName],
    );
    const row = rows[0];
    return row ? { associate: toAssociate(row), passwordHash: row.password_hash } : null;
  }

  async getAssociates(ids: number[]): Promise<Associate[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<AssociateRow>(`SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE id = ANY($1)`, [ids]);
    return rows.map(toAssociate);
  }

  /** Takes a tenant; returns its associates by id. */
  async listAssociates(tenantId: number): Promise<Associate[]> {
    const { rows } = await this.pool.query<AssociateRow>(`SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE tenant_id = $1 ORDER BY id`, [
      tenantId,
    ]);
    return rows.map(toAssociate);
  }

  async createCredential(x: NewCredential): Promise<Credential> {
    const { rows } = await this.pool.query<{ id: number }>(
      'INSERT INTO credentials (kind, token_hash, associate_id, name, created, expires) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [x.kind, x.tokenHash, x.associateId, x.name, x.now, x.expires],
    );
    const { rows: found } = await this.pool.query<CredentialRow>(`${CREDENTIAL_SELECT} WHERE c.id = $1`, [rows[0]!.id]);
    return toCredential(found[0]!);
  }

  async findCredential(kind: CredentialKind, tokenHash: string, now: number): Promise<Credential | null> {
    const { rows } = await this.pool.query<CredentialRow>(
      `${CREDENTIAL_SELECT} WHERE c.kind = $1 AND c.token_hash = $2 AND c.revoked IS NULL AND (c.expires IS NULL OR c.expires > $3)`,
      [kind, tokenHash, now],
    );
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async listCredentials(associateId: number, kind: CredentialKind): Promise<Credential[]> {
    const { rows } = await this.pool.query<CredentialRow>(
      `${CREDENTIAL_SELECT} WHERE c.associate_id = $1 AND c.kind = $2 AND c.revoked IS NULL ORDER BY c.id`,
      [associateId, kind],
    );
    return rows.map(toCredential);
  }

  async revokeCredential(associateId: number, id: number, now: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE credentials SET revoked = $1 WHERE id = $2 AND associate_id = $3 AND revoked IS NULL', [
      now,
      id,
      associateId,
    ]);
    return (r.rowCount ?? 0) > 0;
  }
}
