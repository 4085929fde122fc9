/** The "Online Restricted" grants' port (AppAccessService; domain/app-access.ts): the table of migration 009. */
import type { AppGrant } from '../domain/app-access.js';

export interface AppGrants {
  /** Every grant, oldest first. */
  listAppGrants(): Promise<AppGrant[]>;
  /** The grant of the application whose SO-AppToken hashes to `tokenHash`, or null. */
  findAppGrant(tokenHash: string): Promise<AppGrant | null>;
  /** Grants an application (again: renamed and re-dated); returns the grant as stored. */
  putAppGrant(grant: AppGrant): Promise<AppGrant>;
  /** Takes a grant back; false when there was none. */
  deleteAppGrant(tokenHash: string): Promise<boolean>;
}
