/** Events in: SignalEvent, the batch route and the in-process `signal()`, each acknowledged only once stored. */
import { HookdError } from '../domain/errors.js';
import type { EventRecord } from '../domain/payload.js';
import { eventFromSignal } from '../domain/signal.js';
import type { Tenant } from '../domain/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { SignalGroup, Store } from '../store/store.js';
import type { Caller } from './caller.js';
import { GroupCommit } from './group-commit.js';

/** Largest batch one request may carry, so that one transaction stays short. */
export const MAX_BATCH = 10_000;

export class EventService {
  /** Single events that arrive together share one transaction: a commit costs about the same for one as for fifty. */
  private readonly singles: GroupCommit<SignalGroup, number>;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      onWork: () => void;
      defaultTenant: Tenant;
      /** Told how many events were stored (metrics). */
      onStored?: (count: number) => void;
    },
  ) {
    this.singles = new GroupCommit((groups) => deps.store.signalGroups(groups, deps.clock.now()));
  }

  /** Stores one event and its fan-out (group-committed with others arriving at the same moment); returns the deliveries queued. */
  async signal(caller: Caller, eventName: unknown, primaryKey: unknown, data: unknown): Promise<number> {
    const event = this.validate(caller, [{ EventName: eventName, PrimaryKey: primaryKey, Data: data }], false)[0] as EventRecord;
    const queued = await this.singles.submit({ tenantId: caller.tenant.id, events: [event] });
    this.deps.onStored?.(1);
    if (queued > 0) this.deps.onWork();
    return queued;
  }

  /** Stores every event in one transaction, or none of them. */
  async signalMany(caller: Caller, items: unknown): Promise<number> {
    if (!Array.isArray(items)) {
      throw new HookdError('invalid_field', { property: 'body', rule: 'must be an array of {EventName, PrimaryKey, Data}' });
    }
    if (items.length > MAX_BATCH) throw new HookdError('invalid_field', { property: 'body', rule: `may hold at most ${MAX_BATCH} events` });
    const events = this.validate(caller, items, true);
    const queued = await this.deps.store.signal(caller.tenant.id, events, this.deps.clock.now());
    this.deps.onStored?.(events.length);
    if (queued > 0) this.deps.onWork();
    return queued;
  }

  /** The in-process SignalEvent of an embedding application: as the system user of a tenant (the default one unless named). */
  async signalAsSystem(e: { eventName: string; primaryKey?: number; data?: Record<string, unknown>; tenant?: string }): Promise<number> {
    const tenant = e.tenant ? await this.deps.store.findTenant(e.tenant) : this.deps.defaultTenant;
    if (!tenant) throw new HookdError('tenant_not_found', { tenant: e.tenant ?? '' });
    const caller: Caller = {
      tenant,
      associate: { id: 0, tenantId: tenant.id, name: 'system', userName: 'system', isAdmin: false, email: null },
      appToken: null,
    };
    return this.signal(caller, e.eventName, e.primaryKey ?? 0, e.data ?? {});
  }

  /** In a batch, error messages name the item (`[3].EventName`). */
  private validate(caller: Caller, items: unknown[], batch: boolean): EventRecord[] {
    const ctx = { associateId: caller.associate.id, contextIdentifier: caller.tenant.identifier, now: this.deps.clock.now() };
    return items.map((item, i) => {
      const it = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const get = (k: string) => Object.entries(it).find(([key]) => key.toLowerCase() === k)?.[1];
      return eventFromSignal(
        { eventName: get('eventname'), primaryKey: get('primarykey'), data: get('data') },
        ctx,
        batch ? `[${i}].` : '',
      );
    });
  }
}
