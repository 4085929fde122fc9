/** Events in: SignalEvent, the batch route and the in-process `signal()`, each acknowledged only once stored. */
import { createHash } from 'node:crypto';
import { appTokenHash } from '../domain/app-access.js';
import { checkInput } from '../domain/input-guard.js';
import { HookdError } from '../domain/errors.js';
import type { EventRecord } from '../domain/payload.js';
import { eventFromSignal, signalInput } from '../domain/signal.js';
import { validTraceParent } from '../domain/trace-context.js';
import type { Tenant } from '../domain/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { Accounts } from '../store/accounts.js';
import type { EventIntake, SignalGroup } from '../store/intake.js';
import type { Caller } from './caller.js';
import { GroupCommit } from './group-commit.js';

/** Largest batch one request may carry, so that one transaction stays short. */
export const MAX_BATCH = 10_000;

/** What a signal answered: deliveries queued, and whether this was a repeat of an earlier request (Idempotency-Key). */
export interface SignalAnswer {
  queued: number;
  replayed: boolean;
}

/** The body of the batch route: an array of at most MAX_BATCH items, or a 400. */
function batchItems(items: unknown): unknown[] {
  if (!Array.isArray(items)) {
    throw new HookdError('invalid_field', { property: 'body', rule: 'must be an array of {EventName, PrimaryKey, Data}' });
  }
  if (items.length > MAX_BATCH) throw new HookdError('invalid_field', { property: 'body', rule: `may hold at most ${MAX_BATCH} events` });
  return items;
}

/**
 * The fingerprint of what a signal stores: its events as normalised (name, primary key as a number, data
 * merged into Changes/FieldValues/Values, ChangedBy, ContextIdentifier), not the request's bytes — so one
 * event sent over REST (`/Webhook/{name}/{key}`) and over RPC (SignalEvent) is one request. The Timestamp is
 * left out: it is the time of arrival, which a repeat never shares.
 *
 * `traceParent` (every signal method's last argument) is a valid W3C traceparent (domain/trace-context.ts) or null:
 * stored with each event of the request.
 */
function eventsHash(events: readonly EventRecord[]): string {
  // The traceparent is left out too: a repeat sent in another trace is still the same request.
  return jsonHash(events.map(({ timestamp: _arrival, traceParent: _trace, ...event }) => event));
}

/** The application a signal came from, as stored with its Idempotency-Key: SO-AppToken's hash (as grants name it), never the token; '' without one. */
function appScope(caller: Caller): string {
  return caller.appToken === null ? '' : appTokenHash(caller.appToken);
}

/** A value's fingerprint, the same for the same JSON whatever its key order. */
function jsonHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('base64url');
}

export class EventService {
  /** Single events that arrive together share one transaction: a commit costs about the same for one as for fifty. */
  private readonly singles: GroupCommit<SignalGroup, number>;

  constructor(
    private readonly deps: {
      /** The ports this service uses: the intake, and the accounts to find a tenant. */
      intake: EventIntake;
      accounts: Accounts;
      clock: Clock;
      onWork: () => void;
      defaultTenant: Tenant;
      /** Told how many events were stored (metrics). */
      onStored?: (count: number) => void;
      /** How long an Idempotency-Key is remembered. */
      idempotencyMs?: number;
    },
  ) {
    this.singles = new GroupCommit((groups) => deps.intake.signalGroups(groups, deps.clock.now()));
  }

  /** Stores one event and its fan-out (group-committed with others arriving at the same moment); returns the deliveries queued. */
  async signal(caller: Caller, eventName: unknown, primaryKey: unknown, data: unknown, traceParent: string | null = null): Promise<number> {
    const item = { EventName: eventName, PrimaryKey: primaryKey, Data: data };
    const event = this.validate(caller, [item], false, traceParent)[0] as EventRecord;
    const queued = await this.singles.submit({ tenantId: caller.tenant.id, events: [event] });
    this.deps.onStored?.(1);
    if (queued > 0) this.deps.onWork();
    return queued;
  }

  /** Stores every event in one transaction, or none of them. */
  async signalMany(caller: Caller, items: unknown, traceParent: string | null = null): Promise<number> {
    const events = this.validate(caller, batchItems(items), true, traceParent);
    const queued = await this.deps.intake.signal(caller.tenant.id, events, this.deps.clock.now());
    this.deps.onStored?.(events.length);
    if (queued > 0) this.deps.onWork();
    return queued;
  }

  /** The in-process SignalEvent of an embedding application: as the system user of a tenant (the default one unless named). */
  async signalAsSystem(e: {
    eventName: string;
    primaryKey?: number;
    data?: Record<string, unknown>;
    tenant?: string;
    /** A W3C traceparent to keep with the event; an invalid one is ignored, as over HTTP. */
    traceParent?: string;
  }): Promise<number> {
    const tenant = e.tenant ? await this.deps.accounts.findTenant(e.tenant) : this.deps.defaultTenant;
    if (!tenant) throw new HookdError('tenant_not_found', { tenant: e.tenant ?? '' });
    const caller: Caller = {
      tenant,
      associate: { id: 0, tenantId: tenant.id, name: 'system', userName: 'system', isAdmin: false, email: null },
      appToken: null,
    };
    // In-process callers skip the HTTP parsers: the same guard here, so no path reaches a prototype or overflows the
    // stack — on the object (before copying it recurses) and on its copy (a toJSON may give other data than it has).
    checkInput(e.data ?? {}, 'request body');
    // A copy, as JSON stores it: the worker may be handed this event in memory, and the caller may change its object later.
    const data = e.data === undefined ? {} : (JSON.parse(JSON.stringify(e.data)) as Record<string, unknown>);
    checkInput(data, 'request body');
    return this.signal(caller, e.eventName, e.primaryKey ?? 0, data, validTraceParent(e.traceParent));
  }

  /**
   * SignalEvent or the batch with an Idempotency-Key: the first request with a key stores its events; a repeat
   * within the window (HOOKD_IDEMPOTENCY_HOURS) stores nothing and gets the first answer; the same key with
   * different events is a 409. Keys belong to the tenant and application (SO-AppToken): another application's
   * key is a new one.
   */
  async signalIdempotent(
    caller: Caller,
    key: string,
    items: unknown,
    batch: boolean,
    traceParent: string | null = null,
  ): Promise<SignalAnswer> {
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new HookdError('invalid_parameter', { name: 'Idempotency-Key', rule: 'must be 1 to 255 printable characters without spaces' });
    }
    const list = batch ? batchItems(items) : [items];
    const events = this.validate(caller, list, batch, traceParent);
    const windowMs = this.deps.idempotencyMs ?? 24 * 3_600_000;
    const now = this.deps.clock.now();
    const answer = await this.deps.intake.signalOnce(
      caller.tenant.id,
      { key, appScope: appScope(caller), bodyHash: eventsHash(events), validSince: now - windowMs },
      events,
      now,
    );
    if (answer === 'conflict') throw new HookdError('idempotency_conflict', { key, hours: Math.round(windowMs / 3_600_000) });
    if (!answer.replayed) {
      this.deps.onStored?.(events.length);
      if (answer.queued > 0) this.deps.onWork();
    }
    return answer;
  }

  /** In a batch, error messages name the item (`[3].EventName`). */
  private validate(caller: Caller, items: unknown[], batch: boolean, traceParent: string | null): EventRecord[] {
    const ctx = { associateId: caller.associate.id, contextIdentifier: caller.tenant.identifier, now: this.deps.clock.now() };
    return items.map((item, i) => {
      const event = eventFromSignal(signalInput(item), ctx, batch ? i : undefined);
      // Only an event with a trace gets the field: the common object keeps the shape it always had.
      if (traceParent !== null) event.traceParent = traceParent;
      return event;
    });
  }
}
