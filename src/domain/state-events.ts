/**
 * The events hookd fires about webhooks themselves (superoffice-webhooks.md §6 "State-change events"):
 * header `webhook{id}.started|stopped|errors`, body Event `webhook.started|…`, no Entity,
 * ChangedByAssociateId 0 and PrimaryKey the webhook's id.
 */
import { type StateEventVerb, stateEventName } from './event-names.js';
import type { EventRecord } from './payload.js';
import { utcTimestamp } from './timestamp.js';
import { type Notice, noticesFor } from './notices.js';
import { type Associate, stateValue, type Webhook } from './webhook.js';

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

/** What switching a webhook off records besides its state: its `webhook{id}.errors` event and the Disabling notices. */
export function tripRecords(
  webhook: Webhook,
  tenantIdentifier: string,
  eventGuid: string,
  now: number,
  associates: readonly Associate[],
): { stateEvent: EventRecord; notices: Notice[] } {
  return {
    stateEvent: stateEventRecord(webhook, 'errors', tenantIdentifier, now),
    notices: noticesFor(webhook, 'Disabling', eventGuid, associates),
  };
}
