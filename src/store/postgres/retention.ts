/** The Retention port on PostgreSQL: retention days per tenant, and pruning in short transactions. */
import type pg from 'pg';
import type { PruneCut, Retention, TenantRetention } from '../retention.js';
import { transaction } from './database.js';

export class PostgresRetention implements Retention {
  constructor(private readonly pool: pg.Pool) {}

  async listTenantRetention(): Promise<TenantRetention[]> {
    const { rows } = await this.pool.query<{
      id: string;
      identifier: string;
      delivery_retention_days: number | null;
      event_retention_days: number | null;
    }>('SELECT id, identifier, delivery_retention_days, event_retention_days FROM tenants ORDER BY id');
    return rows.map((r) => ({
      tenantId: Number(r.id),
      identifier: r.identifier,
      deliveryDays: r.delivery_retention_days,
      eventDays: r.event_retention_days,
    }));
  }

  async setTenantRetention(tenantId: number, days: { deliveries: number | null; events: number | null }): Promise<void> {
    await this.pool.query('UPDATE tenants SET delivery_retention_days = $1, event_retention_days = $2 WHERE id = $3', [
      days.deliveries,
      days.events,
      tenantId,
    ]);
  }

  async prune(tenantId: number, cut: PruneCut, limit: number): Promise<{ deliveries: number; events: number }> {
    return transaction(this.pool, async (c) => {
      let deliveries = 0;
      let events = 0;
      if (cut.deliveriesBefore !== null) {
        const { rows } = await c.query<{ id: string }>(
          `SELECT d.id FROM deliveries d WHERE d.status = 1 AND d.finished < $1
             AND d.webhook_id IN (SELECT id FROM webhooks WHERE tenant_id = $2) LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [cut.deliveriesBefore, tenantId, limit],
        );
        const ids = rows.map((r) => r.id);
        await c.query('DELETE FROM attempts WHERE delivery_id = ANY($1)', [ids]);
        deliveries = (await c.query('DELETE FROM deliveries WHERE id = ANY($1)', [ids])).rowCount ?? 0;
      }
      if (cut.eventsBefore !== null) {
        events =
          (
            await c.query(
              `DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE e.tenant_id = $1 AND e.created < $2
                 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT $3)`,
              [tenantId, cut.eventsBefore, limit],
            )
          ).rowCount ?? 0;
      }
      return { deliveries, events };
    });
  }

  async pruneIdempotencyKeys(before: number): Promise<number> {
    return (await this.pool.query('DELETE FROM idempotency_keys WHERE created < $1', [before])).rowCount ?? 0;
  }
}
