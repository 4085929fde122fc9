/** The EventIntake port on SQLite: one immediate transaction a call; what it queued is handed to the worker after the commit. */
import type { EventRecord } from '../../domain/payload.js';
import type { QueuedItem } from '../delivery-queue.js';
import type { EventIntake, IdempotencyKey, SignalGroup } from '../intake.js';
import type { Db } from './database.js';
import type { SqliteDeliveryQueue } from './queue.js';
import { signalEvents, signalGroups } from './signal.js';

export class SqliteEventIntake implements EventIntake {
  constructor(
    private readonly db: Db,
    /** Takes the deliveries each call queued (DeliveryQueue.onQueued). */
    private readonly queue: SqliteDeliveryQueue,
  ) {}

  async signal(tenantId: number, events: EventRecord[], now: number): Promise<number> {
    const fresh: QueuedItem[] = [];
    const queued = this.db.transaction(() => signalEvents(this.db, tenantId, events, now, fresh)).immediate();
    this.queue.handOff(fresh);
    return queued;
  }

  async signalOnce(tenantId: number, idempotency: IdempotencyKey, events: EventRecord[], now: number) {
    const fresh: QueuedItem[] = [];
    const answer = this.db
      .transaction(() => {
        const seen = this.db
          .prepare('SELECT body_hash, queued, created FROM idempotency_keys WHERE tenant_id = ? AND app_scope = ? AND key = ?')
          .get(tenantId, idempotency.appScope, idempotency.key) as { body_hash: string; queued: number; created: number } | undefined;
        if (seen && seen.created >= idempotency.validSince) {
          return seen.body_hash === idempotency.bodyHash ? { queued: seen.queued, replayed: true } : ('conflict' as const);
        }
        const queued = signalEvents(this.db, tenantId, events, now, fresh);
        this.db
          .prepare(
            `INSERT INTO idempotency_keys (tenant_id, app_scope, key, body_hash, queued, created) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant_id, app_scope, key) DO UPDATE SET body_hash = excluded.body_hash, queued = excluded.queued, created = excluded.created`,
          )
          .run(tenantId, idempotency.appScope, idempotency.key, idempotency.bodyHash, queued, now);
        return { queued, replayed: false };
      })
      .immediate();
    this.queue.handOff(fresh);
    return answer;
  }

  async signalGroups(groups: SignalGroup[], now: number): Promise<number[]> {
    const fresh: QueuedItem[] = [];
    const queued = this.db.transaction(() => signalGroups(this.db, groups, now, fresh)).immediate();
    this.queue.handOff(fresh);
    return queued;
  }
}
