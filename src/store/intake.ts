/**
 * The event intake's port (EventService): store events and queue one delivery per Active subscriber, in one
 * transaction. The SQL lives in each backend's signal.ts (shared with the registry's state events); the
 * classes in intake.ts add the transaction, the idempotency keys and, on SQLite, the hand-off to the worker.
 */
import type { EventRecord } from '../domain/payload.js';

/** One caller's events, stored with other callers' in one transaction. */
export interface SignalGroup {
  tenantId: number;
  events: EventRecord[];
}

/** An Idempotency-Key as it is stored: per tenant and application (`appScope`), with its request body's hash. */
export interface IdempotencyKey {
  key: string;
  /** A fingerprint of the SO-AppToken; '' without one. */
  appScope: string;
  bodyHash: string;
  /** A key sent before this instant is forgotten: the events are stored again. */
  validSince: number;
}

export interface EventIntake {
  /** Stores the events and one queued delivery for each Active webhook that subscribes; returns that count. */
  signal(tenantId: number, events: EventRecord[], now: number): Promise<number>;
  /**
   * Stores the events unless this tenant and application sent `key` since `validSince`: then nothing is stored and
   * the first answer comes back (`replayed`), or 'conflict' when that request's body hash differs. Concurrent
   * requests with one key store the events once.
   */
  signalOnce(
    tenantId: number,
    idempotency: IdempotencyKey,
    events: EventRecord[],
    now: number,
  ): Promise<{ queued: number; replayed: boolean } | 'conflict'>;
  /** Several callers' events in one transaction (group-committed ingestion); returns each group's queued count. */
  signalGroups(groups: SignalGroup[], now: number): Promise<number[]>;
}
