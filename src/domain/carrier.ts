/**
 * The carriers hookd returns, as NetServer's REST API shows them (superoffice-webhooks.md §1.1, §16, and the
 * current `Webhook` of SuperOffice's clients), in their property order: unset strings are "", unset
 * dictionaries {} and unset lists [] (decisions.md), and every carrier says what its caller may do with it
 * (TableRight, FieldProperties). hookd's own additions come after NetServer's properties.
 */
import { receiverAuthCarrier } from './receiver-auth.js';
import { carrierRights, type Rights } from './rights.js';
import { utcTimestamp } from './timestamp.js';
import { type Associate, flagNames, NOTIFY_VIA, NOTIFY_WHEN, type Webhook } from './webhook.js';

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
    ExtraFields: {},
    CustomFields: {},
    ...carrierRights('Associate', { write: false, reason: '' }),
  };
}

/** An ErrorAssociates entry: NetServer's MDOListItem naming an associate. */
function associateListItem(id: number, a: Associate | undefined): Record<string, unknown> {
  return {
    Id: id,
    Name: a?.userName ?? '',
    ToolTip: a?.name ?? '',
    Deleted: a === undefined,
    Rank: 0,
    Type: 'associate',
    ChildItems: [],
    IconHint: '',
    ColorBlock: 0,
    ExtraInfo: '',
    StyleHint: '',
    FullName: a?.name ?? '',
  };
}

export function webhookCarrier(w: Webhook, associates: ReadonlyMap<number, Associate>, rights: Rights): Record<string, unknown> {
  return {
    WebhookId: w.id,
    Name: w.name,
    Events: w.events,
    TargetUrl: w.targetUrl,
    Secret: w.secret ?? '',
    State: w.state,
    Type: w.type,
    Headers: w.headers ?? {},
    Properties: w.properties ?? {},
    // Created and updated dates are UTC whatever SO-TimeZone says (decisions.md).
    Registered: utcTimestamp(w.registered),
    RegisteredAssociate: associateCarrier(associates.get(w.registeredAssociateId)),
    Updated: utcTimestamp(w.updated),
    UpdatedAssociate: associateCarrier(associates.get(w.updatedAssociateId)),
    ErrorsEmail: w.errorsEmail ?? '',
    ErrorEmails: w.errorEmails,
    ErrorAssociates: w.errorAssociateIds.map((id) => associateListItem(id, associates.get(id))),
    Description: w.description,
    NotifyVia: flagNames(NOTIFY_VIA, w.notifyVia),
    NotifyWhen: flagNames(NOTIFY_WHEN, w.notifyWhen),
    TotalCalls: w.totalCalls,
    TotalErrors: w.totalErrors,
    ConsecutiveErrors: w.consecutiveErrors,
    LastError: w.lastError ?? '',
    ...carrierRights('Webhook', rights),
    // hookd's extension: the optimistic-concurrency counter of the Webhook table.
    UpdatedCount: w.updatedCount,
    ...deliveryControls(w),
  };
}

/** hookd's delivery controls, shown only when set: a client that never sets them sees the carrier it always saw. */
function deliveryControls(w: Webhook): Record<string, unknown> {
  const controls: Record<string, unknown> = {};
  if (w.maxPerSecond !== null) controls.MaxPerSecond = w.maxPerSecond;
  if (w.ordering !== 'None') controls.Ordering = w.ordering;
  if (w.filter !== null) controls.Filter = w.filter;
  if (w.previousSecret !== null && w.previousSecretUntil !== null) {
    controls.SecretRotation = { PreviousSecretExpires: utcTimestamp(w.previousSecretUntil), Confirmed: w.secretConfirmed };
  }
  // Receiver authentication: what is set, never a key, client secret or password.
  if (w.receiverAuth !== null) controls.ReceiverAuth = receiverAuthCarrier(w.receiverAuth);
  if (w.sendTraceContext) controls.SendTraceContext = true;
  return controls;
}

/** CreateDefaultWebhook's answer (superoffice-webhooks.md §1.3), with the current carrier's properties. */
export function defaultCarrier(rights: Rights): Record<string, unknown> {
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
    ErrorEmails: [],
    ErrorAssociates: [],
    Description: '',
    NotifyVia: flagNames(NOTIFY_VIA, NOTIFY_VIA.Email),
    NotifyWhen: flagNames(NOTIFY_WHEN, NOTIFY_WHEN.Disabling),
    TotalCalls: 0,
    TotalErrors: 0,
    ConsecutiveErrors: 0,
    LastError: '',
    ...carrierRights('Webhook', rights),
  };
}

/** TestWebhook's answer. */
export function webhookResultCarrier(result: { success: boolean; message: string }): Record<string, unknown> {
  return { Success: result.success, Message: result.message, ...carrierRights('WebhookResult', { write: false, reason: '' }) };
}
