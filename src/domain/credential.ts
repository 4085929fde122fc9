/** API tokens, tickets and portal tokens as the services read them (stored as hashes, never in the clear). */

/** `portal`: a short-lived token for the customer portal, scoped to one tenant (and application) by its `name`. */
export type CredentialKind = 'bearer' | 'ticket' | 'portal';

export interface Credential {
  id: number;
  kind: CredentialKind;
  associateId: number;
  tenantId: number;
  name: string | null;
  created: number;
  expires: number | null;
}

/** An associate to create, with the hash of its password. */
export interface NewAssociate {
  name: string;
  userName: string;
  passwordHash: string;
  isAdmin: boolean;
  email?: string | null;
}
