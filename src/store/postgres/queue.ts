/**
 * The delivery queue on PostgreSQL: processes own webhooks under leases (webhook_leases) and meet the
 * database once per pass. The exchange is one statement of CTEs — one round trip, one transaction —
 * unless a webhook trips to TooManyErrors, when its state event and e-mail join it in one transaction.
 * A result is recorded only while its webhook is still leased to the owner that sends it, so a worker
 * that lost a lease can never count an attempt twice.
 */
import type pg from 'pg';
import { type Notice, noticesFor } from '../../domain/notices.js';
import { tripRecords } from '../../domain/state-events.js';
import type { Webhook } from '../../domain/webhook.js';
import type { DeliveryQueue, ExchangeRequest, ExchangeResult, SettledAttempt } from '../delivery-queue.js';
import {
  ASSOCIATE_COLUMNS,
  type AssociateRow,
  NOTIFICATION_COLUMNS,
  notificationParams,
  toAssociate,
  toOwnedWebhook,
  toWebhook,
  type WebhookRow,
} from '../rows.js';
import { type QueuedRow, toQueuedItem } from '../event-rows.js';
import { type Client, transaction } from './database.js';
import { signalEvents, WORK_CHANNEL } from './signal.js';

const NEXT_KIND = { delivered: 0, retry: 1, 'new-cycle': 2, later: 3 } as const;

// Takes the parameters built by `exchangeParams` (numbered there); returns one row of JSON columns.
const EXCHANGE = `
WITH
beat AS (
  INSERT INTO workers (owner, seen_at) SELECT $1, $2 WHERE $33
  ON CONFLICT (owner) DO UPDATE SET seen_at = EXCLUDED.seen_at RETURNING 1
),
mine AS (
  SELECT webhook_id FROM webhook_leases WHERE owner = $1 AND webhook_id = ANY($4::bigint[])
),
renewed AS (
  UPDATE webhook_leases SET lease_until = $3
  WHERE $33 AND owner = $1 AND webhook_id = ANY($4::bigint[]) AND NOT webhook_id = ANY($6::bigint[]) RETURNING 1
),
released AS (
  DELETE FROM webhook_leases WHERE owner = $1 AND webhook_id = ANY($6::bigint[]) RETURNING 1
),
-- A webhook given back with due work (a process joined, or its owner's share shrank): wake the others to take it now,
-- not at their next poll — two processes sharing 100 webhooks delivered 0.40 of one while given-back ones waited.
handed AS (
  SELECT pg_notify('${WORK_CHANNEL}', '') WHERE cardinality($6::bigint[]) > 0 AND EXISTS (
    SELECT 1 FROM deliveries d WHERE d.webhook_id = ANY($6::bigint[]) AND d.status = 0 AND d.due_at <= $2)
),
res AS (
  SELECT r.*, (r.next_kind = 0 AND r.retry = 0 AND r.outcome = 'success') AS first_ok FROM unnest($7::bigint[], $8::bigint[], $9::text[], $10::int[], $11::bigint[], $12::int[], $13::int[], $14::text[],
                         $15::text[], $16::text[], $17::smallint[], $18::bigint[], $19::int[], $20::text[])
    AS r(delivery_id, webhook_id, guid, retry, started, duration, status, outcome, error, stage, next_kind, due, cycle, new_guid)
  WHERE r.webhook_id IN (SELECT webhook_id FROM mine)
),
-- A first attempt that succeeded (first_ok, of a delivery with no attempt yet) is kept in its delivery's row (migration
-- 014), not written to attempts: att and upd both read d as it was before this statement, so they agree on which fold.
att AS (
  INSERT INTO attempts (delivery_id, webhook_id, event_guid, retry, started, duration_ms, status_code, outcome, error, stage)
  SELECT r.delivery_id, r.webhook_id, r.guid, r.retry, r.started, r.duration, r.status, r.outcome, r.error, r.stage
  FROM res r JOIN deliveries d ON d.id = r.delivery_id AND d.status = 0
  WHERE NOT (r.first_ok AND d.attempts = 0)
  RETURNING 1
),
upd AS (
  UPDATE deliveries d SET
    status = CASE WHEN r.next_kind = 0 THEN 1 ELSE 0 END,
    finished = CASE WHEN r.next_kind = 0 THEN $2 ELSE NULL END,
    due_at = CASE WHEN r.next_kind = 0 THEN d.due_at ELSE r.due END,
    cycle_attempt = CASE r.next_kind WHEN 1 THEN r.cycle WHEN 2 THEN 0 ELSE d.cycle_attempt END,
    event_guid = CASE WHEN r.next_kind = 2 THEN r.new_guid ELSE d.event_guid END,
    attempts = d.attempts + CASE WHEN r.next_kind = 3 THEN 0 ELSE 1 END,
    ok_started = CASE WHEN r.first_ok AND d.attempts = 0 THEN r.started ELSE d.ok_started END,
    ok_duration_ms = CASE WHEN r.first_ok AND d.attempts = 0 THEN r.duration ELSE d.ok_duration_ms END,
    ok_status = CASE WHEN r.first_ok AND d.attempts = 0 THEN r.status ELSE d.ok_status END
  FROM res r WHERE d.id = r.delivery_id AND d.status = 0
  RETURNING 1
),
cnt AS (
  UPDATE webhooks w SET total_calls = w.total_calls + c.calls, total_errors = w.total_errors + c.errors,
    consecutive_errors = CASE WHEN c.reset THEN c.addn ELSE w.consecutive_errors + c.addn END,
    last_error = coalesce(c.last, w.last_error)
  FROM unnest($21::bigint[], $22::int[], $23::int[], $24::bool[], $25::int[], $26::text[]) AS c(id, calls, errors, reset, addn, last)
  WHERE w.id = c.id AND c.id IN (SELECT webhook_id FROM mine)
  RETURNING 1
),
changed AS (
  SELECT w.* FROM webhooks w JOIN unnest($4::bigint[], $5::text[]) AS o(id, v) ON w.id = o.id
  WHERE w.id IN (SELECT webhook_id FROM mine) AND (w.updated::text || ':' || w.updated_count::text) <> o.v
),
cands AS (
  -- not leased to another owner: a lease of this owner's that it does not hold (its answer was lost) is taken back at once
  SELECT w.id FROM webhooks w
  WHERE $31 > 0 AND w.state = 1 AND NOT w.id = ANY($4::bigint[])
    AND NOT EXISTS (SELECT 1 FROM webhook_leases l WHERE l.webhook_id = w.id AND l.lease_until > $2 AND l.owner <> $1)
    AND EXISTS (SELECT 1 FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 0 AND d.due_at <= $2)
),
live AS (
  -- this process counts even before its first heartbeat is visible to this statement
  SELECT count(*) + CASE WHEN bool_or(owner = $1) THEN 0 ELSE 1 END AS n FROM workers WHERE seen_at > $2 - $34::bigint
),
busy AS (
  -- an orphaned lease of this owner's is among the candidates already: not counted twice
  SELECT (SELECT count(*) FROM webhook_leases WHERE lease_until > $2 AND (owner <> $1 OR webhook_id = ANY($4::bigint[])))
    + (SELECT count(*) FROM cands) AS n
),
quota AS (
  -- the fair share: busy webhooks over live processes, less what this one owns already
  SELECT greatest(0, least($31, ceil(busy.n::numeric / live.n)::int - cardinality($4::bigint[]))) AS q FROM busy, live
),
acquired AS (
  INSERT INTO webhook_leases (webhook_id, owner, lease_until)
  SELECT c.id, $1, $3 FROM (SELECT id FROM cands ORDER BY random() LIMIT (SELECT q FROM quota)) c
  ON CONFLICT (webhook_id) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
    WHERE webhook_leases.lease_until <= $2 OR webhook_leases.owner = $1
  RETURNING webhook_id
),
targets AS (
  SELECT t.wid, t.lim, t.want, t.strict, t.after_due, t.after_id, t.max_bytes
  FROM unnest($27::bigint[], $28::int[], $29::int[], $35::bool[], $36::bigint[], $37::bigint[], $38::bigint[])
    AS t(wid, lim, want, strict, after_due, after_id, max_bytes)
  WHERE t.wid IN (SELECT webhook_id FROM mine)
  UNION ALL SELECT a.webhook_id, $32::int, $32::int, w.ordering = 1, NULL::bigint, NULL::bigint, $39::bigint
  FROM acquired a JOIN webhooks w ON w.id = a.webhook_id
),
held AS (SELECT unnest($30::bigint[]) AS id),
win AS (
  SELECT p.*, CASE WHEN t.strict THEN 0 ELSE p.due_at END AS ord, row_number() OVER (PARTITION BY p.webhook_id ORDER BY CASE WHEN t.strict THEN 0 ELSE p.due_at END, p.id) AS n, t.want, t.max_bytes
  FROM targets t CROSS JOIN LATERAL (
    (SELECT d.id, d.webhook_id, d.event_id, d.event_guid, d.cycle_attempt, d.attempts, d.due_at FROM deliveries d
     WHERE NOT t.strict AND t.after_id IS NULL AND d.webhook_id = t.wid AND d.status = 0 AND d.due_at <= $2
     ORDER BY d.due_at, d.id LIMIT t.lim)
    UNION ALL
    -- after the owner's mark: the index is entered there, the rows before it (all held) are not read
    (SELECT d.id, d.webhook_id, d.event_id, d.event_guid, d.cycle_attempt, d.attempts, d.due_at FROM deliveries d
     WHERE NOT t.strict AND t.after_id IS NOT NULL AND d.webhook_id = t.wid AND d.status = 0
       AND (d.due_at, d.id) > (t.after_due, t.after_id) AND d.due_at <= $2
     ORDER BY d.due_at, d.id LIMIT t.lim)
    UNION ALL
    -- strict ordering: the queue in signal order, due or not; the owner waits for the head
    (SELECT d.id, d.webhook_id, d.event_id, d.event_guid, d.cycle_attempt, d.attempts, d.due_at FROM deliveries d
     WHERE t.strict AND d.webhook_id = t.wid AND d.status = 0
     ORDER BY d.id LIMIT t.lim)
  ) p
  WHERE NOT EXISTS (SELECT 1 FROM held h WHERE h.id = p.id)
)
SELECT
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT * FROM changed UNION ALL SELECT w.* FROM webhooks w WHERE w.id IN (SELECT webhook_id FROM acquired)) x) AS webhooks,
  (SELECT coalesce(json_agg(o.id), '[]') FROM unnest($4::bigint[]) AS o(id) WHERE o.id NOT IN (SELECT webhook_id FROM mine)) AS lost,
  -- Arrays in QueuedRow's order (not objects: no keys to write and read). The JSON columns come as their text,
  -- which the payload splices as it is (domain/stored-event.ts): parsed and built again, they cost hookd ~2 µs a row.
  -- Within each owner's byte room (RefillRequest.maxBytes): the first whatever its size, then as many as fit.
  (SELECT coalesce(json_agg(json_build_array(
     x.id, x.webhook_id, x.event_guid, x.cycle_attempt, x.attempts, x.due_at, x.name, x.body_event, x.entity,
     x.primary_key, x.timestamp, x.changes, x.changed_by, x.context_identifier, x.vals, x.field_values,
     x.trace_parent) ORDER BY x.webhook_id, x.ord, x.id), '[]')
   FROM (SELECT win.id, win.webhook_id, win.event_guid, win.cycle_attempt, win.attempts, win.due_at, win.ord, win.n, win.max_bytes,
           e.name, e.body_event, e.entity, e.primary_key, e.timestamp, e.changes, e.changed_by, e.context_identifier, e.vals,
           e.field_values, e.trace_parent,
           sum(octet_length(e.changes) + coalesce(octet_length(e.vals), 0) + coalesce(octet_length(e.field_values), 0))
             OVER (PARTITION BY win.webhook_id ORDER BY win.n) AS run
         FROM win JOIN events e ON e.id = win.event_id WHERE win.n <= win.want) x
   WHERE x.n = 1 OR x.max_bytes IS NULL OR x.run <= x.max_bytes) AS deliveries,
  (SELECT coalesce(json_agg(json_build_object('webhookId', t.wid, 'at', least(
     (SELECT min(d.due_at) FROM deliveries d WHERE d.webhook_id = t.wid AND d.status = 0 AND d.due_at > $2
        AND NOT EXISTS (SELECT 1 FROM res r WHERE r.delivery_id = d.id)),
     -- the statement sees rows as they were before it: this exchange's own reschedules (a new cycle is due at once) count from its input
     (SELECT min(r.due) FROM res r WHERE r.webhook_id = t.wid AND r.next_kind <> 0)))), '[]')
   FROM targets t WHERE (SELECT count(*) FROM win WHERE win.webhook_id = t.wid) < t.want) AS next_due,
  (SELECT n FROM live) AS workers,
  (SELECT count(*) FROM handed) AS handed,
  CASE WHEN $31 > 0 THEN (SELECT n FROM busy) END AS busy`;

interface ExchangeRow {
  webhooks: WebhookRow[];
  lost: number[];
  deliveries: QueuedRow[];
  next_due: Array<{ webhookId: number; at: number | null }>;
  workers: number;
  busy: number | null;
}

export class PostgresDeliveryQueue implements DeliveryQueue {
  readonly shared = true;

  constructor(
    private readonly pool: pg.Pool,
    readonly watchWork: DeliveryQueue['watchWork'],
  ) {}

  async exchange(r: ExchangeRequest): Promise<ExchangeResult> {
    const notable = r.counters.filter((c) => c.trip !== null || c.firstFailure !== null);
    const row =
      notable.length === 0
        ? await this.run(this.pool, r)
        : await transaction(this.pool, async (c) => {
            const result = await this.run(c, r);
            const lost = new Set(result.lost);
            for (const t of notable) {
              if (lost.has(t.webhookId)) continue;
              if (t.firstFailure) await firstFailure(c, t.webhookId, t.firstFailure.eventGuid, r.now);
              if (t.trip) await trip(c, t.webhookId, t.trip.eventGuid, r.now);
            }
            return result;
          });
    return {
      webhooks: row.webhooks.map(toOwnedWebhook),
      lost: row.lost,
      deliveries: row.deliveries.map(toQueuedItem),
      nextDue: row.next_due,
      workers: Math.max(1, row.workers),
      busyWebhooks: row.busy,
    };
  }

  async releaseAll(owner: string): Promise<void> {
    await this.pool.query('DELETE FROM webhook_leases WHERE owner = $1', [owner]);
    await this.pool.query('DELETE FROM workers WHERE owner = $1', [owner]);
  }

  private async run(c: Client, r: ExchangeRequest): Promise<ExchangeRow> {
    // Named: each connection parses the statement once and PostgreSQL may keep its plan (an exchange is ~15 CTEs).
    const { rows } = await c.query<ExchangeRow>({ name: 'hookd_exchange', text: EXCHANGE, values: exchangeParams(r) });
    return rows[0]!;
  }
}

function exchangeParams(r: ExchangeRequest): unknown[] {
  const a = r.attempts;
  const col = <T>(f: (x: SettledAttempt) => T) => a.map(f);
  const c = r.counters;
  const holding = r.refill.flatMap((t) => t.holding);
  return [
    r.owner, // $1
    r.now, // $2
    r.now + r.leaseMs, // $3
    r.owned.map((o) => o.webhookId), // $4
    r.owned.map((o) => o.version), // $5
    r.release, // $6
    col((x) => x.deliveryId), // $7
    col((x) => x.webhookId), // $8
    col((x) => x.eventGuid), // $9
    col((x) => x.retry), // $10
    col((x) => x.startedAt), // $11
    col((x) => x.durationMs), // $12
    col((x) => x.outcome.status), // $13
    col((x) => x.outcome.kind), // $14
    col((x) => (x.outcome.kind === 'success' ? null : x.outcome.error)), // $15
    col((x) => (x.outcome.kind === 'success' ? null : x.outcome.stage)), // $16
    col((x) => NEXT_KIND[x.next.kind]), // $17
    col((x) => (x.next.kind === 'delivered' ? null : x.next.dueAt)), // $18
    col((x) => (x.next.kind === 'retry' ? x.next.cycleAttempt : null)), // $19
    col((x) => (x.next.kind === 'new-cycle' ? x.next.eventGuid : null)), // $20
    c.map((x) => x.webhookId), // $21
    c.map((x) => x.calls), // $22
    c.map((x) => x.errors), // $23
    c.map((x) => x.consecutiveReset), // $24
    c.map((x) => x.consecutiveAdd), // $25
    c.map((x) => x.lastError), // $26
    r.refill.map((t) => t.webhookId), // $27
    r.refill.map((t) => t.want + t.holding.length), // $28: rows to read past the held ones
    r.refill.map((t) => t.want), // $29
    holding, // $30
    r.acquire, // $31
    r.acquireWant, // $32
    r.renew, // $33
    r.leaseMs, // $34: a heartbeat older than a lease is a dead process
    r.refill.map((t) => t.strict ?? false), // $35
    r.refill.map((t) => t.after?.dueAt ?? null), // $36: the owner's mark (null: from the start)
    r.refill.map((t) => t.after?.id ?? null), // $37
    r.refill.map((t) => (t.maxBytes === undefined ? null : Math.floor(t.maxBytes))), // $38: each owner's byte room
    r.acquireMaxBytes === undefined ? null : Math.floor(r.acquireMaxBytes), // $39
  ];
}

/** Switches an Active webhook to TooManyErrors, fires `webhook{id}.errors` and records its Disabling notices. */
async function trip(c: Client, webhookId: number, eventGuid: string, now: number): Promise<void> {
  const { rows } = await c.query<WebhookRow>('UPDATE webhooks SET state = 3 WHERE id = $1 AND state = 1 RETURNING *', [webhookId]);
  if (!rows[0]) return;
  const webhook = toWebhook(rows[0]);
  const { rows: t } = await c.query<{ identifier: string }>('SELECT identifier FROM tenants WHERE id = $1', [webhook.tenantId]);
  const { stateEvent, notices } = tripRecords(webhook, t[0]!.identifier, eventGuid, now, await errorAssociates(c, webhook));
  await signalEvents(c, webhook.tenantId, [stateEvent], now);
  await recordNotices(c, webhook, notices, now);
}

/** Records the FirstFailure notices of a webhook whose attempt failed after a success (rare: a row read is fine). */
async function firstFailure(c: Client, webhookId: number, eventGuid: string, now: number): Promise<void> {
  const { rows } = await c.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1', [webhookId]);
  if (!rows[0] || (rows[0].notify_when & 1) === 0) return;
  const webhook = toWebhook(rows[0]);
  await recordNotices(c, webhook, noticesFor(webhook, 'FirstFailure', eventGuid, await errorAssociates(c, webhook)), now);
}

async function errorAssociates(c: Client, webhook: Webhook) {
  if (webhook.errorAssociateIds.length === 0) return [];
  const { rows } = await c.query<AssociateRow>(`SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE tenant_id = $1 AND id = ANY($2)`, [
    webhook.tenantId,
    webhook.errorAssociateIds,
  ]);
  return rows.map(toAssociate);
}

async function recordNotices(c: Client, webhook: Webhook, notices: Notice[], now: number): Promise<void> {
  for (const n of notices) {
    await c.query(
      `INSERT INTO notifications ${NOTIFICATION_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      notificationParams(webhook, n, now),
    );
  }
}
