/**
 * The Webhook carrier as NetServer's REST API shows it (superoffice-webhooks.md §1.1, §16), in its
 * documented property order, with hookd's additive extensions (the statistics of webhook-table.md) last.
 */
import type { Associate, Webhook } from './webhook.js';

export type DateFormatter = (ms: number) => string;

/** NetServer's Associate carrier, filled from what hookd knows of the user. */
export function associateCarrier(a: Associate | undefined): Record<string, unknown> | null {
  if (!a) return null;
  return {
    AssociateId: a.id,
    Name: a.userName,
    PersonId: 0,
    Rank: 0,
    Tooltip: a.name,
    Type: 'InternalAssociate',
    GroupIdx: 0,
    FullName: a.name,
    FormalName: a.name,
    Deleted: false,
    EjUserId: 0,
    UserName: a.userName,
  };
}

export function webhookCarrier(w: Webhook, associates: ReadonlyMap<number, Associate>, formatDate: DateFormatter): Record<string, unknown> {
  return {
    WebhookId: w.id,
    Name: w.name,
    Events: w.events,
    TargetUrl: w.targetUrl,
    Secret: w.secret,
    State: w.state,
    Type: w.type,
    Headers: w.headers,
    Properties: w.properties,
    Registered: formatDate(w.registered),
    RegisteredAssociate: associateCarrier(associates.get(w.registeredAssociateId)),
    Updated: formatDate(w.updated),
    UpdatedAssociate: associateCarrier(associates.get(w.updatedAssociateId)),
    ErrorsEmail: w.errorsEmail,
    // hookd extensions: the statistics columns of the Webhook table.
    TotalCalls: w.totalCalls,
    TotalErrors: w.totalErrors,
    ConsecutiveErrors: w.consecutiveErrors,
    LastError: w.lastError,
    UpdatedCount: w.updatedCount,
  };
}

/** CreateDefaultWebhook's answer (superoffice-webhooks.md §1.3). */
export function defaultCarrier(): Record<string, unknown> {
  return {
    WebhookId: 0,
    Name: null,
    Events: ['contact.created', 'contact.deleted'],
    TargetUrl: null,
    Secret: null,
    State: 'Active',
    Type: 'webhook',
    Headers: null,
    Properties: null,
    Registered: '0001-01-01T00:00:00',
    RegisteredAssociate: null,
    Updated: '0001-01-01T00:00:00',
    UpdatedAssociate: null,
    ErrorsEmail: null,
  };
}
