/** The accounts' port (AuthService): tenants, their associates (users), and credentials stored as hashes. */
import type { Credential, CredentialKind, NewAssociate } from '../domain/credential.js';
import type { Associate, Tenant } from '../domain/webhook.js';

/** A credential to store: the hash of its token, never the token. */
export interface NewCredential {
  kind: CredentialKind;
  tokenHash: string;
  associateId: number;
  name: string | null;
  now: number;
  expires: number | null;
}

export interface Accounts {
  /** The tenant of this identifier (letter case ignored), created when there is none. */
  ensureTenant(identifier: string, now: number): Promise<Tenant>;
  findTenant(identifier: string): Promise<Tenant | null>;
  /** A new tenant and its first associate, in one transaction; rejects when the identifier is taken. */
  createTenant(identifier: string, admin: Omit<NewAssociate, 'isAdmin'>, now: number): Promise<{ tenant: Tenant; associate: Associate }>;
  createAssociate(tenantId: number, a: NewAssociate, now: number): Promise<Associate>;
  /** Associates of every tenant (whether a first admin must be made). */
  countAssociates(): Promise<number>;
  /** The associate of this user name in the tenant, with its password hash; null when there is none. */
  findLogin(tenantId: number, userName: string): Promise<{ associate: Associate; passwordHash: string } | null>;
  getAssociates(ids: number[]): Promise<Associate[]>;
  /** A tenant's associates by id (the dashboard's CRM users for ErrorAssociates). */
  listAssociates(tenantId: number): Promise<Associate[]>;
  createCredential(c: NewCredential): Promise<Credential>;
  /** The credential of this kind and token hash, unless revoked or expired at `now`. */
  findCredential(kind: CredentialKind, tokenHash: string, now: number): Promise<Credential | null>;
  /** An associate's credentials of one kind that are not revoked, oldest first. */
  listCredentials(associateId: number, kind: CredentialKind): Promise<Credential[]>;
  /** Revokes one of the associate's credentials; false when it has none of that id (or it is revoked already). */
  revokeCredential(associateId: number, id: number, now: number): Promise<boolean>;
}
