/**
 * The events hookd fires about webhooks themselves (superoffice-webhooks.md §6 "State-change events"):
 * header `webhook{id}.started|stopped|errors`, body Event `webhook.started|…`, no Entity,
 * ChangedByAssociateId 0 and PrimaryKey the webhook's id.
 */
import { type StateEventVerb, stateEventName } from './event-names.js';
import type { EventRecord } from './payload.js';
import { utcTimestamp } from './timestamp.js';
import { stateValue, type Webhook } from './webhook.js';

export function stateEventRecord(webhook: Webhook, verb: StateEventVerb, contextIdentifier: string, now: number): EventRecord {
  return {
    name: stateEventName(webhook.id, verb),
    bodyEvent: `webhook.${verb}`,
    entity: null,
    primaryKey: webhook.id,
    timestamp: utcTimestamp(now),
    changes: ['state'],
    changedByAssociateId: 0,
    contextIdentifier,
    values: null,
    fieldValues: {
      // The docs call this "number of events"; hookd reports how many event names the webhook subscribes to.
      events: webhook.events.length,
      registered: utcTimestamp(webhook.registered),
      registered_associate_id: webhook.registeredAssociateId,
      state: stateValue(webhook.state),
      updated: utcTimestamp(webhook.updated),
      updated_associate_id: webhook.updatedAssociateId,
    },
  };
}

/** The e-mail recorded for ErrorsEmail when a webhook is switched off (superoffice-webhooks.md §7.1). */
export function errorsEmailMessage(webhook: Webhook, eventGuid: string): { subject: string; body: string } {
  return {
    subject: `hookd: webhook '${webhook.name}' (${webhook.id}) was switched off (TooManyErrors)`,
    body: [
      `Webhook: ${webhook.name} (id ${webhook.id})`,
      `Target: ${webhook.targetUrl}`,
      `Last EventId: ${eventGuid}`,
      `Consecutive errors: ${webhook.consecutiveErrors}`,
      `Last error:`,
      webhook.lastError ?? '(none)',
      '',
      'Set the webhook State back to Active to resume deliveries; queued events are kept.',
    ].join('\n'),
  };
}

/** What switching a webhook off records besides its state: its `webhook{id}.errors` event, and the ErrorsEmail notification if it has an address. */
export function tripRecords(
  webhook: Webhook,
  tenantIdentifier: string,
  eventGuid: string,
  now: number,
): { stateEvent: EventRecord; notification: { recipient: string; subject: string; body: string } | null } {
  return {
    stateEvent: stateEventRecord(webhook, 'errors', tenantIdentifier, now),
    notification: webhook.errorsEmail ? { recipient: webhook.errorsEmail, ...errorsEmailMessage(webhook, eventGuid) } : null,
  };
}
