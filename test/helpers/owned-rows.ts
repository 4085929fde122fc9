/** An owned webhook's row and queued deliveries as the store hands them to the worker: for the owner's unit tests. */
import { StoredEvent } from '../../src/domain/stored-event.js';
import type { OwnedWebhookRow, QueuedItem } from '../../src/store/delivery-queue.js';

export function ownedRow(id: number, overrides: Partial<OwnedWebhookRow> = {}): OwnedWebhookRow {
  return {
    id,
    tenantId: 1,
    name: 'w',
    type: 'webhook',
    targetUrl: 'https://example.com/hook',
    secret: 's',
    headers: null,
    properties: null,
    previousSecret: null,
    previousSecretUntil: null,
    secretConfirmed: true,
    receiverAuth: null,
    sendTraceContext: false,
    state: 'Active',
    consecutiveErrors: 0,
    maxPerSecond: null,
    strict: false,
    version: '1',
    ...overrides,
  };
}

/** A queued delivery of `webhookId`, not yet attempted, due at `dueAt`. */
export function queuedItem(webhookId: number, deliveryId: number, dueAt = 1_000): QueuedItem {
  return {
    deliveryId,
    webhookId,
    eventGuid: `g${deliveryId}`,
    cycleAttempt: 0,
    attempts: 0,
    dueAt,
    event: {} as QueuedItem['event'],
  };
}

/** A stored event whose Values take about `bytes` of text (what an owner's byte bound counts). */
export function bigEvent(bytes: number): StoredEvent {
  return StoredEvent.fromColumns(
    'contact.changed',
    'contact.changed',
    'contact',
    1,
    't',
    1,
    'Default',
    null,
    '[]',
    JSON.stringify({ x: 'x'.repeat(bytes) }),
    null,
  );
}
