/** The Accounts port on SQLite: tenants, associates and credentials. */
import type { Accounts, NewCredential } from '../accounts.js';
import type { Associate, Tenant } from '../../domain/webhook.js';
import type { Credential, CredentialKind, NewAssociate } from '../../domain/credential.js';
import { type Db, q } from './database.js';
import { ASSOCIATE_COLUMNS, type AssociateRow, CREDENTIAL_SELECT, type CredentialRow, toAssociate, toCredential } from '../rows.js';

/** Sync, for use inside a transaction. */
function tenantNamed(db: Db, identifier: string): Tenant | null {
  const row = q(db, 'SELECT id, identifier FROM tenants WHERE identifier = ?').get(identifier) as Tenant | undefined;
  return row ?? null;
}

/** Sync, for use inside a transaction. */
function insertAssociate(db: Db, tenantId: number, a: NewAssociate, now: number): Associate {
  const info = q(
    db,
    'INSERT INTO associates (tenant_id, name, user_name, password_hash, is_admin, registered, email) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(tenantId, a.name, a.userName, a.passwordHash, a.isAdmin ? 1 : 0, now, a.email ?? null);
  return { id: Number(info.lastInsertRowid), tenantId, name: a.name, userName: a.userName, isAdmin: a.isAdmin, email: a.email ?? null };
}

export class SqliteAccounts implements Accounts {
  constructor(private readonly db: Db) {}

  async findTenant(identifier: string): Promise<Tenant | null> {
    return tenantNamed(this.db, identifier);
  }

  async createTenant(identifier: string, admin: Omit<NewAssociate, 'isAdmin'>, now: number) {
    return this.db
      .transaction(() => {
        q(this.db, 'INSERT INTO tenants (identifier, registered) VALUES (?, ?)').run(identifier, now);
        const tenant = tenantNamed(this.db, identifier);
        if (!tenant) throw new Error('tenant insert lost');
        return { tenant, associate: insertAssociate(this.db, tenant.id, { ...admin, isAdmin: false }, now) };
      })
      .immediate();
  }

  async createAssociate(tenantId: number, a: NewAssociate, now: number): Promise<Associate> {
    return insertAssociate(this.db, tenantId, a, now);
  }

  async countAssociates(): Promise<number> {
    return q(this.db, 'SELECT count(*) FROM associates').pluck().get() as number;
  }

  async ensureTenant(identifier: string, now: number): Promise<Tenant> {
    q(this.db, 'INSERT INTO tenants (identifier, registered) VALUES (?, ?) ON CONFLICT (identifier) DO NOTHING').run(identifier, now);
    return tenantNamed(this.db, identifier) as Tenant;
  }

  async findLogin(tenantId: number, userName: string): Promise<{ associate: Associate; passwordHash: string } | null> {
    const row = q(this.db, `SELECT ${ASSOCIATE_COLUMNS}, password_hash FROM associates WHERE tenant_id = ? AND user_name = ?`).get(
      tenantId,
      userName,
    ) as (AssociateRow & { password_hash: string }) | undefined;
    return row ? { associate: toAssociate(row), passwordHash: row.password_hash } : null;
  }

  async getAssociates(ids: number[]): Promise<Associate[]> {
    if (ids.length === 0) return [];
    const rows = q(this.db, `SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE id IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(ids),
    ) as AssociateRow[];
    return rows.map(toAssociate);
  }

  /** Takes a tenant; returns its associates by id. */
  async listAssociates(tenantId: number): Promise<Associate[]> {
    return (q(this.db, `SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE tenant_id = ? ORDER BY id`).all(tenantId) as AssociateRow[]).map(
      toAssociate,
    );
  }

  async createCredential(c: NewCredential): Promise<Credential> {
    const info = q(
      this.db,
      'INSERT INTO credentials (kind, token_hash, associate_id, name, created, expires) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(c.kind, c.tokenHash, c.associateId, c.name, c.now, c.expires);
    return toCredential(q(this.db, `${CREDENTIAL_SELECT} WHERE c.id = ?`).get(info.lastInsertRowid) as CredentialRow);
  }

  async findCredential(kind: CredentialKind, tokenHash: string, now: number): Promise<Credential | null> {
    const row = q(
      this.db,
      `${CREDENTIAL_SELECT} WHERE c.kind = ? AND c.token_hash = ? AND c.revoked IS NULL AND (c.expires IS NULL OR c.expires > ?)`,
    ).get(kind, tokenHash, now) as CredentialRow | undefined;
    return row ? toCredential(row) : null;
  }

  async listCredentials(associateId: number, kind: CredentialKind): Promise<Credential[]> {
    const rows = q(this.db, `${CREDENTIAL_SELECT} WHERE c.associate_id = ? AND c.kind = ? AND c.revoked IS NULL ORDER BY c.id`).all(
      associateId,
      kind,
    ) as CredentialRow[];
    return rows.map(toCredential);
  }

  async revokeCredential(associateId: number, id: number, now: number): Promise<boolean> {
    return (
      q(this.db, 'UPDATE credentials SET revoked = ? WHERE id = ? AND associate_id = ? AND revoked IS NULL').run(now, id, associateId)
        .changes > 0
    );
  }
}
