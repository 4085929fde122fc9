/** The EventIntake port on PostgreSQL: one transaction a call; the idempotency key is claimed first, so concurrent requests wait. */
import type pg from 'pg';
import type { EventRecord } from '../../domain/payload.js';
import type { EventIntake, IdempotencyKey, SignalGroup } from '../intake.js';
import { transaction } from './database.js';
import { signalEvents, signalGroups } from './signal.js';

export class PostgresEventIntake implements EventIntake {
  constructor(private readonly pool: pg.Pool) {}

  async signal(tenantId: number, events: EventRecord[], now: number): Promise<number> {
    return transaction(this.pool, (c) => signalEvents(c, tenantId, events, now));
  }

  async signalOnce(tenantId: number, idempotency: IdempotencyKey, events: EventRecord[], now: number) {
    return transaction(this.pool, async (c) => {
      // The key is claimed first: a concurrent request with the same key waits in this INSERT for our commit.
      const claimed = await c.query(
        'INSERT INTO idempotency_keys (tenant_id, app_scope, key, body_hash, queued, created) VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (tenant_id, app_scope, key) DO NOTHING',
        [tenantId, idempotency.appScope, idempotency.key, idempotency.bodyHash, now],
      );
      if (claimed.rowCount === 0) {
        const { rows } = await c.query<{ body_hash: string; queued: string; created: string }>(
          'SELECT body_hash, queued, created FROM idempotency_keys WHERE tenant_id = $1 AND app_scope = $2 AND key = $3 FOR UPDATE',
          [tenantId, idempotency.appScope, idempotency.key],
        );
        const seen = rows[0]!;
        if (Number(seen.created) >= idempotency.validSince) {
          return seen.body_hash === idempotency.bodyHash ? { queued: Number(seen.queued), replayed: true } : ('conflict' as const);
        }
        await c.query('UPDATE idempotency_keys SET body_hash = $1, created = $2 WHERE tenant_id = $3 AND app_scope = $4 AND key = $5', [
          idempotency.bodyHash,
          now,
          tenantId,
          idempotency.appScope,
          idempotency.key,
        ]);
      }
      const queued = await signalEvents(c, tenantId, events, now);
      await c.query('UPDATE idempotency_keys SET queued = $1 WHERE tenant_id = $2 AND app_scope = $3 AND key = $4', [
        queued,
        tenantId,
        idempotency.appScope,
        idempotency.key,
      ]);
      return { queued, replayed: false };
    });
  }

  async signalGroups(groups: SignalGroup[], now: number): Promise<number[]> {
    return transaction(this.pool, (c) => signalGroups(c, groups, now));
  }
}
