/** Events in: SignalEvent, the batch route and the in-process `signal()`, each acknowledged only once stored. */
import { HookdError } from '../domain/errors.js';
import { eventFromSignal } from '../domain/signal.js';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';

/** Largest batch one request may carry, so that one transaction stays short. */
export const MAX_BATCH = 10_000;

export class EventService {
  constructor(private readonly deps: { store: Store; clock: Clock; onWork: () => void }) {}

  /** Stores one event and its fan-out; returns the number of deliveries queued. */
  async signal(caller: Caller, eventName: unknown, primaryKey: unknown, data: unknown): Promise<number> {
    return this.signalMany(caller, [{ EventName: eventName, PrimaryKey: primaryKey, Data: data }], false);
  }

  /** Stores every event in one transaction, or none of them. */
  async signalMany(caller: Caller, items: unknown, batch = true): Promise<number> {
    if (!Array.isArray(items)) {
      throw new HookdError('invalid_field', { property: 'body', rule: 'must be an array of {EventName, PrimaryKey, Data}' });
    }
    if (items.length > MAX_BATCH) throw new HookdError('invalid_field', { property: 'body', rule: `may hold at most ${MAX_BATCH} events` });
    const now = this.deps.clock.now();
    const ctx = { associateId: caller.associate.id, contextIdentifier: caller.tenant.identifier, now };
    const events = items.map((item, i) => {
      const it = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const get = (k: string) => Object.entries(it).find(([key]) => key.toLowerCase() === k)?.[1];
      return eventFromSignal(
        { eventName: get('eventname'), primaryKey: get('primarykey'), data: get('data') },
        ctx,
        batch ? `[${i}].` : '',
      );
    });
    const queued = await this.deps.store.signal(caller.tenant.id, events, now);
    if (queued > 0) this.deps.onWork();
    return queued;
  }
}
