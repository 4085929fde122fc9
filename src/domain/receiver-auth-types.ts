/**
 * Receiver authentication's types (domain/receiver-auth.ts reads and shows them): apart, so that what imports the
 * Webhook type (the dashboard's build among them) needs no node:crypto.
 */
export const OAUTH2_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type OAuth2Method = (typeof OAUTH2_METHODS)[number];

export interface ClientCertificate {
  /** The certificate (and any intermediates) as PEM. */
  certPem: string;
  /** Its private key as PEM: sealed at rest, never returned. */
  keyPem: string;
}

export interface OAuth2Client {
  tokenUrl: string;
  clientId: string;
  /** Sealed at rest, never returned. */
  clientSecret: string;
  scope: string | null;
  audience: string | null;
  method: OAuth2Method;
}

export interface BasicAuth {
  user: string;
  /** Sealed at rest, never returned. */
  password: string;
}

/** How one webhook authenticates to its receiver; null on a webhook that uses none of it. */
export interface ReceiverAuth {
  clientCertificate: ClientCertificate | null;
  /** PEM bundle of the CAs that sign the receiver's certificate (instead of the public ones); never "skip verification". */
  caCertificates: string | null;
  oauth2: OAuth2Client | null;
  basic: BasicAuth | null;
}
