/** Who is calling, in which tenant, with which application token. */
import type { Associate, Tenant } from '../domain/webhook.js';

export interface Caller {
  tenant: Tenant;
  associate: Associate;
  /** SO-AppToken: set when an application calls (decisions.md "application_token"). */
  appToken: string | null;
  /** Signed in with a customer-portal token: it manages webhooks, never accounts or tokens. */
  portal?: boolean;
}
