/**
 * The delivery queue in SQLite: this process is the only deliverer, so it owns every webhook and no row
 * or webhook is leased. One exchange is one transaction: record what finished, apply the counter deltas
 * (and a trip's state event and e-mail), report owned webhooks that changed, take new ones, refill windows.
 */
import { type Notice, noticesFor } from '../../domain/notices.js';
import { tripRecords } from '../../domain/state-events.js';
import type { Webhook } from '../../domain/webhook.js';
import {
  type CounterDelta,
  type DeliveryQueue,
  deliveryIdsByWebhook,
  type ExchangeRequest,
  type ExchangeResult,
  type OwnedWebhookRow,
  type QueuedItem,
  type RefillRequest,
  type SettledAttempt,
} from '../delivery-queue.js';
import {
  ASSOCIATE_COLUMNS,
  type AssociateRow,
  attemptParams,
  NOTIFICATION_COLUMNS,
  notificationParams,
  toOwnedWebhook,
  toAssociate,
  toWebhook,
  webhookVersion,
  type WebhookRow,
} from '../rows.js';
import { StoredEvent } from '../../domain/stored-event.js';
import { type QueuedDelivery, queuedItem } from '../event-rows.js';
import { type Db, q, qRaw } from './database.js';
import { signalEvents } from './signal.js';

export class SqliteDeliveryQueue implements DeliveryQueue {
  readonly shared = false;

  constructor(private readonly db: Db) {}

  async exchange(request: ExchangeRequest): Promise<ExchangeResult> {
    return this.db.transaction(() => exchange(this.db, request)).immediate();
  }

  async releaseAll(): Promise<void> {
    // Nothing is leased: ownership ends with the process.
  }

  async watchWork(): Promise<() => Promise<void>> {
    return async () => undefined; // one process: the services wake the worker directly
  }

  private queuedListener: ((items: QueuedItem[]) => void) | null = null;

  onQueued(listener: (items: QueuedItem[]) => void): void {
    this.queuedListener = listener;
  }

  /** The store's ingestion calls this after its commit with the deliveries it queued (never before: a rollback hands off nothing). */
  handOff(items: QueuedItem[]): void {
    if (items.length > 0) this.queuedListener?.(items);
  }
}

function exchange(db: Db, r: ExchangeRequest): ExchangeResult {
  for (const a of r.attempts) recordAttempt(db, a, r.now);
  for (const c of r.counters) applyCounters(db, c, r.now);
  const { changed, lost } = r.checkVersions ? checkOwned(db, r.owned) : { changed: [], lost: [] };
  const acquired = r.acquire > 0 ? acquire(db, r) : [];
  const deliveries: QueuedItem[] = [];
  const nextDue: ExchangeResult['nextDue'] = [];
  const targets: RefillRequest[] = [
    ...r.refill,
    ...acquired.map((w) => ({ webhookId: w.id, want: r.acquireWant, holding: [], strict: w.strict, maxBytes: r.acquireMaxBytes })),
  ];
  const gone = new Set(lost);
  let recordedBy: Map<number, number[]> | null = null;
  for (const t of targets) {
    if (gone.has(t.webhookId)) continue;
    const rows = refill(db, t, r.now);
    // Cut to the owner's byte room before the next refill is read, so an exchange never holds every owner's window of
    // large events at once: 60 owners whose windows were read whole peaked at 2.8 GB where they kept 57 MB.
    for (const row of withinBytes(rows, t.maxBytes)) deliveries.push(toQueuedItem(row));
    // Short by what was read, not by what was kept: what the cut left is still there for the next refill.
    if (rows.length < t.want) {
      recordedBy ??= deliveryIdsByWebhook(r.attempts);
      nextDue.push({ webhookId: t.webhookId, at: nextDueAt(db, t.webhookId, r.now, recordedBy.get(t.webhookId) ?? []) });
    }
  }
  return { webhooks: [...changed, ...acquired], lost, deliveries, nextDue, workers: 1, busyWebhooks: null };
}

/**
 * Moves a delivery on and writes its attempt; a delivery that is gone or delivered already is left alone. Each update
 * names the delivery's webhook too: SQLite gives a new row the largest id plus one, so once a deleted webhook's newest
 * deliveries are gone their ids come back, and a late result of one would otherwise settle another webhook's new delivery.
 */
function recordAttempt(db: Db, a: SettledAttempt, now: number): void {
  const n = a.next;
  // The common case — a first attempt that succeeded — is kept in the delivery's own row (migration 013).
  if (n.kind === 'delivered' && a.retry === 0 && a.outcome.kind === 'success') {
    const folded = q(
      db,
      `UPDATE deliveries SET status = 1, finished = ?, attempts = attempts + 1, ok_started = ?, ok_duration_ms = ?, ok_status = ?
       WHERE id = ? AND webhook_id = ? AND status = 0 AND attempts = 0`,
    ).run(now, a.startedAt, a.durationMs, a.outcome.status, a.deliveryId, a.webhookId);
    if (folded.changes > 0) return;
  }
  // Each update runs only while the delivery is queued; the attempt is written only when one did (one lookup, not two).
  const moved =
    n.kind === 'delivered'
      ? q(db, 'UPDATE deliveries SET status = 1, finished = ?, attempts = attempts + 1 WHERE id = ? AND webhook_id = ? AND status = 0').run(
          now,
          a.deliveryId,
          a.webhookId,
        )
      : n.kind === 'retry'
        ? q(
            db,
            'UPDATE deliveries SET due_at = ?, cycle_attempt = ?, attempts = attempts + 1 WHERE id = ? AND webhook_id = ? AND status = 0',
          ).run(n.dueAt, n.cycleAttempt, a.deliveryId, a.webhookId)
        : n.kind === 'new-cycle'
          ? q(
              db,
              'UPDATE deliveries SET due_at = ?, cycle_attempt = 0, event_guid = ?, attempts = attempts + 1 WHERE id = ? AND webhook_id = ? AND status = 0',
            ).run(n.dueAt, n.eventGuid, a.deliveryId, a.webhookId)
          : q(db, 'UPDATE deliveries SET due_at = ? WHERE id = ? AND webhook_id = ? AND status = 0').run(
              n.dueAt,
              a.deliveryId,
              a.webhookId,
            );
  if (moved.changes === 0) return;
  q(
    db,
    `INSERT INTO attempts (delivery_id, webhook_id, event_guid, retry, started, duration_ms, status_code, outcome, error, stage)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(...attemptParams(a));
}

function applyCounters(db: Db, c: CounterDelta, now: number): void {
  q(
    db,
    `UPDATE webhooks SET total_calls = total_calls + ?, total_errors = total_errors + ?,
       consecutive_errors = CASE WHEN ? THEN ? ELSE consecutive_errors + ? END, last_error = coalesce(?, last_error) WHERE id = ?`,
  ).run(c.calls, c.errors, c.consecutiveReset ? 1 : 0, c.consecutiveAdd, c.consecutiveAdd, c.lastError, c.webhookId);
  if (c.firstFailure) firstFailure(db, c.webhookId, c.firstFailure.eventGuid, now);
  if (c.trip) trip(db, c.webhookId, c.trip.eventGuid, now);
}

/** Switches an Active webhook to TooManyErrors, fires `webhook{id}.errors` and records its Disabling notices. */
function trip(db: Db, webhookId: number, eventGuid: string, now: number): void {
  if (q(db, 'UPDATE webhooks SET state = 3 WHERE id = ? AND state = 1').run(webhookId).changes === 0) return;
  const webhook = toWebhook(q(db, 'SELECT * FROM webhooks WHERE id = ?').get(webhookId) as WebhookRow);
  const tenant = q(db, 'SELECT identifier FROM tenants WHERE id = ?').pluck().get(webhook.tenantId) as string;
  const { stateEvent, notices } = tripRecords(webhook, tenant, eventGuid, now, errorAssociates(db, webhook));
  signalEvents(db, webhook.tenantId, [stateEvent], now);
  recordNotices(db, webhook, notices, now);
}

/** Records the FirstFailure notices of a webhook whose attempt failed after a success (rare: a row read is fine). */
function firstFailure(db: Db, webhookId: number, eventGuid: string, now: number): void {
  const row = q(db, 'SELECT * FROM webhooks WHERE id = ?').get(webhookId) as WebhookRow | undefined;
  if (!row || (row.notify_when & 1) === 0) return;
  const webhook = toWebhook(row);
  recordNotices(db, webhook, noticesFor(webhook, 'FirstFailure', eventGuid, errorAssociates(db, webhook)), now);
}

function errorAssociates(db: Db, webhook: Webhook) {
  if (webhook.errorAssociateIds.length === 0) return [];
  return (
    q(db, `SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`).all(
      webhook.tenantId,
      JSON.stringify(webhook.errorAssociateIds),
    ) as AssociateRow[]
  ).map(toAssociate);
}

function recordNotices(db: Db, webhook: Webhook, notices: Notice[], now: number): void {
  const insert = q(db, `INSERT INTO notifications ${NOTIFICATION_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const n of notices) insert.run(...notificationParams(webhook, n, now));
}

/** Owned webhooks whose version moved (an API write) come back whole; deleted ones are lost. */
function checkOwned(db: Db, owned: ExchangeRequest['owned']): { changed: OwnedWebhookRow[]; lost: number[] } {
  const changed: OwnedWebhookRow[] = [];
  const lost: number[] = [];
  if (owned.length === 0) return { changed, lost };
  // Takes a JSON array of ids; returns their versions.
  const rows = q(db, 'SELECT id, updated, updated_count FROM webhooks WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(owned.map((o) => o.webhookId)),
  ) as Array<{ id: number; updated: number; updated_count: number }>;
  const versions = new Map(rows.map((row) => [row.id, webhookVersion(row.updated, row.updated_count)]));
  for (const o of owned) {
    const v = versions.get(o.webhookId);
    if (v === undefined) lost.push(o.webhookId);
    else if (v !== o.version) changed.push(toOwnedWebhook(q(db, 'SELECT * FROM webhooks WHERE id = ?').get(o.webhookId) as WebhookRow));
  }
  return { changed, lost };
}

/** Active webhooks with due work that this process does not hold yet. */
function acquire(db: Db, r: ExchangeRequest): OwnedWebhookRow[] {
  // Ids first, rows after: selecting every column made the query ~24 µs even when it found nothing (~8 µs for ids).
  // Takes a JSON array of owned ids, now and a limit.
  const ids = q(
    db,
    `SELECT w.id FROM webhooks w WHERE w.state = 1 AND w.id NOT IN (SELECT value FROM json_each(?))
       AND EXISTS (SELECT 1 FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 0 AND d.due_at <= ?)
     LIMIT ?`,
  )
    .pluck()
    .all(JSON.stringify(r.owned.map((o) => o.webhookId)), r.now, r.acquire) as number[];
  return ids.map((id) => toOwnedWebhook(q(db, 'SELECT * FROM webhooks WHERE id = ?').get(id) as WebhookRow));
}

/**
 * A refill row: the delivery's columns, the event's name, Timestamp and traceparent, and the payload's text on either
 * side of WebhookName written by the query (domain/stored-event.ts: json_quote writes a string exactly as JSON.stringify
 * does, and the JSON columns are JSON.stringify's text). Reading eight more columns cost ~0.7 µs a row more, and
 * building the text again per attempt ~0.4 µs (issue 22).
 */
type QueuedRow = [...QueuedDelivery, name: string, timestamp: string, traceParent: string | null, head: string, tail: string];

const QUEUED_COLUMNS = `d.id, d.webhook_id, d.event_guid, d.cycle_attempt, d.attempts, d.due_at, e.name, e.timestamp, e.trace_parent,
  ',"Timestamp":' || json_quote(e.timestamp) || ',"Changes":' || e.changes || ',"Event":' || json_quote(e.body_event) ||
  ',"PrimaryKey":' || e.primary_key || CASE WHEN e.entity IS NULL THEN '' ELSE ',"Entity":' || json_quote(e.entity) END ||
  ',"ContextIdentifier":' || json_quote(e.context_identifier) || ',"ChangedByAssociateId":' || e.changed_by,
  CASE WHEN e.vals IS NULL THEN '' ELSE ',"Values":' || e.vals END ||
  CASE WHEN e.field_values IS NULL THEN '' ELSE ',"FieldValues":' || e.field_values END`;

function toQueuedItem(r: QueuedRow): QueuedItem {
  return queuedItem(r, StoredEvent.fromText(r[6], r[7], r[8], { head: r[9], tail: r[10] }));
}

/** The first of a refill's rows whatever its size, then those whose event text fits `maxBytes` (RefillRequest.maxBytes). */
function withinBytes(rows: QueuedRow[], maxBytes: number | undefined): QueuedRow[] {
  if (maxBytes === undefined) return rows;
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as QueuedRow;
    bytes += r[9].length + r[10].length;
    if (i > 0 && bytes > maxBytes) return rows.slice(0, i);
  }
  return rows;
}

/**
 * Up to `want` due deliveries of one webhook that the owner does not hold, oldest first (strict: the queue in signal
 * order, due or not), after the owner's mark when it has one.
 */
function refill(db: Db, t: RefillRequest, now: number): QueuedRow[] {
  // One statement; the rows the owner holds (its window, in flight, retries it keeps) are left out by the query, not
  // read and skipped: an id query and then one load per id cost ~3 µs a delivery more. With a mark, the rows before it
  // are not read at all (the index is entered at the mark).
  // Takes the webhook, [now,] [the mark,] a JSON array of held ids and the number wanted; returns deliveries with their events.
  const { webhookId, want, after } = t;
  const held = JSON.stringify(t.holding);
  if (after !== undefined && !t.strict) {
    return qRaw(
      db,
      `SELECT ${QUEUED_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id
          WHERE d.webhook_id = ? AND d.status = 0 AND (d.due_at, d.id) > (?, ?) AND d.due_at <= ? AND d.id NOT IN (SELECT value FROM json_each(?))
          ORDER BY d.due_at, d.id LIMIT ?`,
    ).all(webhookId, after.dueAt, after.id, now, held, want) as QueuedRow[];
  }
  const rows = t.strict
    ? qRaw(
        db,
        `SELECT ${QUEUED_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id
          WHERE d.webhook_id = ? AND d.status = 0 AND d.id NOT IN (SELECT value FROM json_each(?)) ORDER BY d.id LIMIT ?`,
      ).all(webhookId, held, want)
    : qRaw(
        db,
        `SELECT ${QUEUED_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id
          WHERE d.webhook_id = ? AND d.status = 0 AND d.due_at <= ? AND d.id NOT IN (SELECT value FROM json_each(?))
          ORDER BY d.due_at, d.id LIMIT ?`,
      ).all(webhookId, now, held, want);
  return rows as QueuedRow[];
}

/**
 * When the webhook's next delivery that the refill did not hand out falls due, or null when it has none:
 * a later one, or one this exchange put back in the queue (a new cycle is due at once, but was still held).
 */
function nextDueAt(db: Db, webhookId: number, now: number, recorded: number[]): number | null {
  // Two index seeks, not one query with an OR: with the OR, SQLite walked past every due row the webhook holds (a few
  // hundred with the hand-off room) before the first later one.
  const later = q(db, 'SELECT min(due_at) FROM deliveries WHERE webhook_id = ? AND status = 0 AND due_at > ?')
    .pluck()
    .get(webhookId, now) as number | null;
  if (recorded.length === 0) return later ?? null;
  // Takes a JSON array of the delivery ids this exchange recorded, and the webhook.
  const putBack = q(db, 'SELECT min(due_at) FROM deliveries WHERE id IN (SELECT value FROM json_each(?)) AND webhook_id = ? AND status = 0')
    .pluck()
    .get(JSON.stringify(recorded), webhookId) as number | null;
  return later === null ? putBack : putBack === null ? later : Math.min(later, putBack);
}
