/** The Webhook table of NetServer (webhook-table.md) in domain terms: times are epoch milliseconds. */

export const WEBHOOK_STATES = ['Unknown', 'Active', 'Stopped', 'TooManyErrors'] as const;
export type WebhookState = (typeof WEBHOOK_STATES)[number];

/** NetServer's enum values: Unknown=0, Active=1, Stopped=2, TooManyErrors=3. */
export function stateValue(state: WebhookState): number {
  return WEBHOOK_STATES.indexOf(state);
}

export function stateFromValue(value: number): WebhookState {
  return WEBHOOK_STATES[value] ?? 'Unknown';
}

/** Column lengths from webhook-table.md (errors_email from superoffice-webhooks.md §1.4). */
export const LIMITS = {
  name: 400,
  events: 4000,
  targetUrl: 4000,
  type: 100,
  applicationToken: 200,
  secret: 400,
  lastError: 4000,
  errorsEmail: 239,
} as const;

/** What a client may set on a webhook. */
export interface WebhookInput {
  name: string;
  events: string[];
  targetUrl: string;
  secret: string | null;
  state: WebhookState;
  type: string;
  headers: Record<string, string> | null;
  properties: Record<string, unknown> | null;
  errorsEmail: string | null;
}

export interface WebhookStats {
  totalCalls: number;
  totalErrors: number;
  consecutiveErrors: number;
  lastError: string | null;
}

export interface Webhook extends WebhookInput, WebhookStats {
  id: number;
  tenantId: number;
  applicationToken: string | null;
  registered: number;
  registeredAssociateId: number;
  updated: number;
  updatedAssociateId: number;
  updatedCount: number;
}

/** A user of the API (NetServer's Associate carrier, reduced to what hookd knows). */
export interface Associate {
  id: number;
  tenantId: number;
  name: string;
  userName: string;
  isAdmin: boolean;
}

export interface Tenant {
  id: number;
  identifier: string;
}
