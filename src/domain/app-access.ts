/**
 * "Online Restricted" (every Webhook route of the seeds: "The Webhook agent is not available in Online by default.
 * Access must be requested specifically when app is registered."): with HOOKD_APP_ACCESS=restricted an application,
 * known by its SO-AppToken, may use the Webhook routes only once an administrator granted it. Callers without an
 * SO-AppToken are people, not applications, and are not restricted. Pure: the shells look up grants.
 */
import { createHash } from 'node:crypto';

export type AppAccessMode = 'open' | 'restricted';

/** One application an administrator let in; the token itself is never kept. */
export interface AppGrant {
  tokenHash: string;
  name: string;
  granted: number;
  grantedBy: number;
}

/** How a grant names its application: SHA-256 of the SO-AppToken, hex (as idempotency keys scope by application). */
export function appTokenHash(appToken: string): string {
  return createHash('sha256').update(appToken, 'utf8').digest('hex');
}

/**
 * The routes of the Webhook agent: `/Webhook…` (REST) and `/Agents/Webhook/…` (RPC), and the archive routes (hookd's
 * providers are all webhook data), given as the route pattern after `/api/v1`. Accounts, time zones and the grants
 * themselves are not the agent.
 */
export function isWebhookAgentRoute(route: string): boolean {
  return /^\/((Agents\/)?Webhook|archive|Agents\/Archive)(\/|$)/i.test(route);
}

/** Whether a request must be refused: restricted mode, a webhook route, an application, and no grant for it. */
export function refusesApp(mode: AppAccessMode, route: string, appToken: string | null, granted: boolean): boolean {
  return mode === 'restricted' && appToken !== null && isWebhookAgentRoute(route) && !granted;
}
