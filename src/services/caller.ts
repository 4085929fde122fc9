/** Who is calling, in which tenant, with which application token. */
import type { Associate, Tenant } from '../domain/webhook.js';

export interface Caller {
  tenant: Tenant;
  associate: Associate;
  /** SO-AppToken: set when an application calls (decisions.md "application_token"). */
  appToken: string | null;
}
