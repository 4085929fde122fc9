/** Events in: store each event and queue one delivery per Active subscriber, inside the caller's transaction. */
import { subscriptionsFor } from '../../domain/event-names.js';
import type { EventRecord } from '../../domain/payload.js';
import { StoredEvent } from '../../domain/stored-event.js';
import { type Db, q } from './database.js';
import { eventParams, reaches, type Subscriber, type SubscriberRow, toSubscriber } from '../event-rows.js';
import type { QueuedItem } from '../delivery-queue.js';
import type { SignalGroup } from '../store.js';
import { newGuid } from '../../lib/guid.js';

const EVENT_INSERT_COLUMNS =
  'tenant_id, name, body_event, entity, primary_key, timestamp, changes, changed_by, context_identifier, vals, field_values, trace_parent, created';
const DELIVERY_INSERT_COLUMNS = 'webhook_id, event_id, event_guid, due_at, created';

/**
 * Rows one INSERT statement carries when a transaction stores at least this many events for one webhook: a statement of
 * 32 rows costs ~1 µs an event and its delivery less than a statement a row (issue 22's store micro-benchmark: 4.7 → 3.7 µs).
 */
const ROWS_A_STATEMENT = 32;

/** `INSERT … VALUES (?, …), …`: `rows` rows of `width` parameters. */
function insertSql(table: string, columns: string, width: number, rows: number): string {
  const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return `INSERT INTO ${table} (${columns}) VALUES ${Array.from({ length: rows }, () => row).join(', ')}`;
}
// Built once: the statement cache is keyed by the SQL text, and hashing ~1.5 KB per lookup is not free.
const EVENT_ONE = insertSql('events', EVENT_INSERT_COLUMNS, 13, 1);
const DELIVERY_ONE = insertSql('deliveries', DELIVERY_INSERT_COLUMNS, 5, 1);
const EVENT_WITH_ID = [
  insertSql('events', `id, ${EVENT_INSERT_COLUMNS}`, 14, ROWS_A_STATEMENT),
  insertSql('events', `id, ${EVENT_INSERT_COLUMNS}`, 14, 1),
] as const;
const DELIVERY_WITH_ID = [
  insertSql('deliveries', `id, ${DELIVERY_INSERT_COLUMNS}`, 6, ROWS_A_STATEMENT),
  insertSql('deliveries', `id, ${DELIVERY_INSERT_COLUMNS}`, 6, 1),
] as const;

/** One event to store and the subscribers it reaches. */
interface Planned {
  tenantId: number;
  stored: StoredEvent;
  to: readonly number[];
}

/** The Active subscribers to one name, and their ids: what an event without filters to pass reaches. */
interface Subscribers {
  list: Subscriber[];
  ids: readonly number[];
}

const NO_SUBSCRIBERS: Subscribers = { list: [], ids: [] };

/** The ids of the subscribers an event reaches: most reach all (no filter), and they share one array, not one each. */
function reachedBy({ list, ids }: Subscribers, e: EventRecord): readonly number[] {
  let to: number[] | null = null;
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as Subscriber;
    if (reaches(s, e)) to?.push(s.id);
    else to ??= ids.slice(0, i);
  }
  return to ?? ids;
}

/**
 * Must run inside a transaction. Returns the number of deliveries queued; with `fresh`, each one is also pushed
 * there as the owner would read it back (handed to the worker once the caller's transaction commits).
 */
export function signalEvents(db: Db, tenantId: number, events: EventRecord[], now: number, fresh?: QueuedItem[]): number {
  return signalGroups(db, [{ tenantId, events }], now, fresh)[0] ?? 0;
}

/** Several callers' events in the caller's one transaction (group-committed ingestion); returns each group's queued count. */
export function signalGroups(db: Db, groups: SignalGroup[], now: number, fresh?: QueuedItem[]): number[] {
  // Takes the tenant and the three names that receive an event; returns the Active subscribers (and what a filter needs).
  const subscribersOf = q(
    db,
    `SELECT DISTINCT we.webhook_id AS id, w.filter, w.name, w.properties FROM webhook_events we JOIN webhooks w ON w.id = we.webhook_id
     WHERE we.tenant_id = ? AND we.event IN (?, ?, ?) AND w.state = 1`,
  );
  const subscribersByName = new Map<string, Subscribers>();
  const planned: Planned[] = [];
  const queued = groups.map((g) => {
    let count = 0;
    let name = '';
    let subscribers: Subscribers = NO_SUBSCRIBERS;
    for (const e of g.events) {
      // A batch's events mostly share a name: the key is built and looked up only when it changes.
      if (e.name !== name || subscribers === NO_SUBSCRIBERS) {
        name = e.name;
        const key = `${g.tenantId} ${name}`;
        subscribers = subscribersByName.get(key) ?? NO_SUBSCRIBERS;
        if (subscribers === NO_SUBSCRIBERS) {
          const list = (subscribersOf.all(g.tenantId, ...subscriptionsFor(name)) as SubscriberRow[]).map(toSubscriber);
          subscribers = { list, ids: list.map((s) => s.id) };
          subscribersByName.set(key, subscribers);
        }
      }
      // Stored once: its JSON text is both the row's columns and, for every delivery it fans out to, the payload's part.
      const to = reachedBy(subscribers, e);
      planned.push({ tenantId: g.tenantId, stored: StoredEvent.of(e), to });
      count += to.length;
    }
    return count;
  });
  // Many rows a statement only when every delivery goes to one webhook: its rows then sit side by side in its indexes,
  // while a statement of rows scattered across webhooks' index positions (events fanned out) cost more than a statement
  // a row (3.1 → 4.0 µs a delivery with 100 webhooks, where one webhook's went 2.5 → 1.55 µs: a store micro-benchmark).
  if (planned.length >= ROWS_A_STATEMENT && oneWebhook(planned)) insertMany(db, planned, now, fresh);
  else insertEach(db, planned, now, fresh);
  return queued;
}

/** A statement a row; each event's id is the one SQLite gives it. */
function insertEach(db: Db, planned: Planned[], now: number, fresh?: QueuedItem[]): void {
  const insertEvent = q(db, EVENT_ONE);
  const insertDelivery = q(db, DELIVERY_ONE);
  for (const p of planned) {
    const eventId = insertEvent.run(...eventParams(p.tenantId, p.stored, now)).lastInsertRowid;
    for (const webhookId of p.to) {
      const eventGuid = newGuid();
      const { lastInsertRowid } = insertDelivery.run(webhookId, eventId, eventGuid, now, now);
      fresh?.push(freshItem(Number(lastInsertRowid), webhookId, eventGuid, now, p.stored));
    }
  }
}

/**
 * ROWS_A_STATEMENT rows a statement (the rest a statement each), for deliveries that all go to one webhook. The ids are
 * given here, each table's largest plus one in order, as SQLite would give them: the caller's transaction writes, so no
 * other connection inserts meanwhile.
 */
function insertMany(db: Db, planned: Planned[], now: number, fresh?: QueuedItem[]): void {
  const firstEventId = nextId(db, 'events');
  const events = new RowWriter(db, EVENT_WITH_ID, 14);
  const params = new Array<unknown>(13);
  planned.forEach((p, k) => events.row(firstEventId + k, eventParams(p.tenantId, p.stored, now, params)));
  events.end();
  // After every event row: each delivery names its event (a foreign key, checked at each statement's end).
  const deliveries = new RowWriter(db, DELIVERY_WITH_ID, 6);
  let deliveryId = nextId(db, 'deliveries');
  const values: [webhookId: number, eventId: number, eventGuid: string, dueAt: number, createdAt: number] = [0, 0, '', now, now];
  planned.forEach((p, k) => {
    for (const webhookId of p.to) {
      const eventGuid = newGuid();
      values[0] = webhookId;
      values[1] = firstEventId + k;
      values[2] = eventGuid;
      deliveries.row(deliveryId, values);
      fresh?.push(freshItem(deliveryId, webhookId, eventGuid, now, p.stored));
      deliveryId++;
    }
  });
  deliveries.end();
}

/** Whether every planned delivery goes to one webhook (or none does). */
function oneWebhook(planned: Planned[]): boolean {
  let only: number | undefined;
  for (const p of planned) {
    for (const id of p.to) {
      if (only !== undefined && id !== only) return false;
      only = id;
    }
  }
  return true;
}

function nextId(db: Db, table: 'events' | 'deliveries'): number {
  return q(db, `SELECT coalesce(max(id), 0) + 1 FROM ${table}`).pluck().get() as number;
}

/**
 * One table's rows, each its id and the rest: a multi-row statement each time ROWS_A_STATEMENT are in; end() writes
 * the rest a row a statement.
 */
class RowWriter {
  // One array for every statement (the rows are copied out at each run): built up anew, it grew ~8 KB a statement.
  private readonly params: unknown[];
  private rows = 0;

  constructor(
    private readonly db: Db,
    private readonly sql: readonly [many: string, one: string],
    private readonly width: number,
  ) {
    this.params = new Array<unknown>(width * ROWS_A_STATEMENT).fill(null);
  }

  /** `values` is copied: the caller may fill the same array for its next row. */
  row(id: number, values: readonly unknown[]): void {
    let at = this.rows * this.width;
    this.params[at++] = id;
    for (let i = 0; i < values.length; i++) this.params[at++] = values[i];
    if (++this.rows < ROWS_A_STATEMENT) return;
    q(this.db, this.sql[0]).run(this.params);
    this.rows = 0;
  }

  end(): void {
    const one = q(this.db, this.sql[1]);
    for (let i = 0; i < this.rows; i++) one.run(this.params.slice(i * this.width, (i + 1) * this.width));
  }
}

/** A delivery just queued, as the owner would read it back. */
function freshItem(deliveryId: number, webhookId: number, eventGuid: string, dueAt: number, event: StoredEvent): QueuedItem {
  return { deliveryId, webhookId, eventGuid, cycleAttempt: 0, attempts: 0, dueAt, event };
}
