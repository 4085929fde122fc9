/** The Webhook table of NetServer (webhook-table.md) in domain terms: times are epoch milliseconds. */
import type { ReceiverAuth } from './receiver-auth-types.js';

export const WEBHOOK_STATES = ['Unknown', 'Active', 'Stopped', 'TooManyErrors'] as const;
export type WebhookState = (typeof WEBHOOK_STATES)[number];

/** NetServer's enum values: Unknown=0, Active=1, Stopped=2, TooManyErrors=3. */
export function stateValue(state: WebhookState): number {
  return WEBHOOK_STATES.indexOf(state);
}

export function stateFromValue(value: number): WebhookState {
  return WEBHOOK_STATES[value] ?? 'Unknown';
}

/**
 * A write that turns a webhook Active from any other state releases what was held while it was off: its queued
 * deliveries become due now. `current` is the state the store read under the write's lock (a trip may have
 * switched the webhook off since the caller read it, without changing its updatedCount).
 */
export function reactivates(current: WebhookState, next: WebhookState): boolean {
  return next === 'Active' && current !== 'Active';
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
  description: 2000,
  errorEmails: 50,
  errorAssociates: 50,
} as const;

/** MaxPerSecond's range: one attempt an hour up to what one process sends at most (~15,000/s measured). */
export const MAX_PER_SECOND = { min: 1 / 3600, max: 100_000 } as const;

/** NetServer's WebhookNotifyVia flags: how a webhook's failures are told. */
export const NOTIFY_VIA = { None: 0, Email: 1, InApp: 2 } as const;
/** NetServer's WebhookNotifyWhen flags: which failures are told. */
export const NOTIFY_WHEN = { None: 0, FirstFailure: 1, Disabling: 2 } as const;
export type NotifyFlags = typeof NOTIFY_VIA | typeof NOTIFY_WHEN;

/** Flags as NetServer's JSON writes them: `None`, `Email`, `Email, InApp`. */
export function flagNames(flags: NotifyFlags, value: number): string {
  const names = Object.entries(flags)
    .filter(([, bit]) => bit !== 0 && (value & bit) === bit)
    .map(([name]) => name);
  return names.length === 0 ? 'None' : names.join(', ');
}

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
  /** The obsolete single-string form of errorEmails, kept consistent with it (comma separated). */
  errorsEmail: string | null;
  errorEmails: string[];
  /** Associates told of failures (ErrorAssociates). */
  errorAssociateIds: number[];
  description: string;
  notifyVia: number;
  notifyWhen: number;
  /** hookd's delivery controls (README "Delivery controls"); unset they leave NetServer's behaviour. */
  maxPerSecond: number | null;
  ordering: Ordering;
  /** A payload filter (domain/filter.ts), checked; null: every event of the webhook's names. */
  filter: Record<string, unknown> | null;
  /** How it authenticates to its receiver (domain/receiver-auth.ts): null, as NetServer's webhooks do, by the signature only. */
  receiverAuth: ReceiverAuth | null;
  /** Deliveries carry a W3C `traceparent` in the event's trace (hookd's extension; false: NetServer's headers only). */
  sendTraceContext: boolean;
}

/** `None`: NetServer's rule (a failing event goes to the back of the queue); `Strict`: one at a time, in signal order. */
export const ORDERINGS = ['None', 'Strict'] as const;
export type Ordering = (typeof ORDERINGS)[number];

/** A secret rotation's overlap: the previous secret still signs until `until`. */
export interface SecretOverlap {
  previousSecret: string | null;
  previousSecretUntil: number | null;
  /** A test ping signed with the new secret succeeded: X-SuperOffice-Signature uses the new one. */
  secretConfirmed: boolean;
}

export interface WebhookStats {
  totalCalls: number;
  totalErrors: number;
  consecutiveErrors: number;
  lastError: string | null;
}

export interface Webhook extends WebhookInput, WebhookStats, SecretOverlap {
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
  /** Where NotifyVia Email reaches this associate when a webhook names it in ErrorAssociates. */
  email: string | null;
}

export interface Tenant {
  id: number;
  identifier: string;
}
