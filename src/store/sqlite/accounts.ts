/** Tenants, associates and credentials in SQLite. */
import type { Associate, Tenant } from '../../domain/webhook.js';
import type { Credential, CredentialKind, NewAssociate } from '../../domain/credential.js';
import { type Db, q } from './database.js';
import { ASSOCIATE_COLUMNS, type AssociateRow, CREDENTIAL_SELECT, type CredentialRow, toAssociate, toCredential } from '../rows.js';

export function findTenant(db: Db, identifier: string): Tenant | null {
  const row = q(db, 'SELECT id, identifier FROM tenants WHERE identifier = ?').get(identifier) as Tenant | undefined;
  return row ?? null;
}

export function ensureTenant(db: Db, identifier: string, now: number): Tenant {
  q(db, 'INSERT INTO tenants (identifier, registered) VALUES (?, ?) ON CONFLICT (identifier) DO NOTHING').run(identifier, now);
  return findTenant(db, identifier) as Tenant;
}

export function createAssociate(db: Db, tenantId: number, a: NewAssociate, now: number): Associate {
  const info = q(
    db,
    'INSERT INTO associates (tenant_id, name, user_name, password_hash, is_admin, registered, email) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(tenantId, a.name, a.userName, a.passwordHash, a.isAdmin ? 1 : 0, now, a.email ?? null);
  return { id: Number(info.lastInsertRowid), tenantId, name: a.name, userName: a.userName, isAdmin: a.isAdmin, email: a.email ?? null };
}

export function findLogin(db: Db, tenantId: number, userName: string): { associate: Associate; passwordHash: string } | null {
  const row = q(db, `SELECT ${ASSOCIATE_COLUMNS}, password_hash FROM associates WHERE tenant_id = ? AND user_name = ?`).get(
    tenantId,
    userName,
  ) as (AssociateRow & { password_hash: string }) | undefined;
  return row ? { associate: toAssociate(row), passwordHash: row.password_hash } : null;
}

export function getAssociates(db: Db, ids: number[]): Associate[] {
  if (ids.length === 0) return [];
  const rows = q(db, `SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE id IN (SELECT value FROM json_each(?))`).all(
    JSON.stringify(ids),
  ) as AssociateRow[];
  return rows.map(toAssociate);
}

/** Takes a tenant; returns its associates by id. */
export function listAssociates(db: Db, tenantId: number): Associate[] {
  return (q(db, `SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE tenant_id = ? ORDER BY id`).all(tenantId) as AssociateRow[]).map(
    toAssociate,
  );
}

export function createCredential(
  db: Db,
  c: { kind: CredentialKind; tokenHash: string; associateId: number; name: string | null; now: number; expires: number | null },
): Credential {
  const info = q(db, 'INSERT INTO credentials (kind, token_hash, associate_id, name, created, expires) VALUES (?, ?, ?, ?, ?, ?)').run(
    c.kind,
    c.tokenHash,
    c.associateId,
    c.name,
    c.now,
    c.expires,
  );
  return toCredential(q(db, `${CREDENTIAL_SELECT} WHERE c.id = ?`).get(info.lastInsertRowid) as CredentialRow);
}

export function findCredential(db: Db, kind: CredentialKind, tokenHash: string, now: number): Credential | null {
  const row = q(
    db,
    `${CREDENTIAL_SELECT} WHERE c.kind = ? AND c.token_hash = ? AND c.revoked IS NULL AND (c.expires IS NULL OR c.expires > ?)`,
  ).get(kind, tokenHash, now) as CredentialRow | undefined;
  return row ? toCredential(row) : null;
}

export function listCredentials(db: Db, associateId: number, kind: CredentialKind): Credential[] {
  const rows = q(db, `${CREDENTIAL_SELECT} WHERE c.associate_id = ? AND c.kind = ? AND c.revoked IS NULL ORDER BY c.id`).all(
    associateId,
    kind,
  ) as CredentialRow[];
  return rows.map(toCredential);
}

export function revokeCredential(db: Db, associateId: number, id: number, now: number): boolean {
  return (
    q(db, 'UPDATE credentials SET revoked = ? WHERE id = ? AND associate_id = ? AND revoked IS NULL').run(now, id, associateId).changes > 0
  );
}
