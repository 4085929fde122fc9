/** The delivery log as the API shows it: a delivery with its attempts (read models the stores fill). */
import type { EventRecord } from './payload.js';
import type { AttemptOutcome } from './retry-policy.js';

export interface AttemptView {
  attemptId: number;
  eventGuid: string;
  retry: number;
  started: number;
  durationMs: number;
  statusCode: number | null;
  outcome: AttemptOutcome['kind'];
  /** Where a failure happened (connect, tls, timeout, response, …); null for a success. */
  stage: Exclude<AttemptOutcome, { kind: 'success' }>['stage'] | null;
  error: string | null;
}

export interface DeliveryView {
  deliveryId: number;
  webhookId: number;
  event: string;
  primaryKey: number;
  /** The event as stored: what the request was built from. */
  record: EventRecord;
  /** The request as hookd sends it (added by the delivery-log service, not stored). */
  request?: { headers: Record<string, string>; body: string };
  eventGuid: string;
  status: 'queued' | 'delivered';
  attempts: AttemptView[];
  created: number;
  finished: number | null;
  dueAt: number | null;
}

/** A webhook's oldest queued delivery (what a strict queue waits for) and the attempts made of it. */
export interface QueueHead {
  deliveryId: number;
  eventGuid: string;
  attempts: number;
}
