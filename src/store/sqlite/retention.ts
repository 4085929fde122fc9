/** The Retention port on SQLite: retention days per tenant, and pruning in short immediate transactions. */
import type { PruneCut, Retention, TenantRetention } from '../retention.js';
import { type Db, q } from './database.js';

export class SqliteRetention implements Retention {
  constructor(private readonly db: Db) {}

  async listTenantRetention(): Promise<TenantRetention[]> {
    return (
      q(this.db, 'SELECT id, identifier, delivery_retention_days, event_retention_days FROM tenants ORDER BY id').all() as Array<{
        id: number;
        identifier: string;
        delivery_retention_days: number | null;
        event_retention_days: number | null;
      }>
    ).map((r) => ({
      tenantId: r.id,
      identifier: r.identifier,
      deliveryDays: r.delivery_retention_days,
      eventDays: r.event_retention_days,
    }));
  }

  async setTenantRetention(tenantId: number, days: { deliveries: number | null; events: number | null }): Promise<void> {
    q(this.db, 'UPDATE tenants SET delivery_retention_days = ?, event_retention_days = ? WHERE id = ?').run(
      days.deliveries,
      days.events,
      tenantId,
    );
  }

  async prune(tenantId: number, cut: PruneCut, limit: number): Promise<{ deliveries: number; events: number }> {
    return this.db
      .transaction(() => {
        let deliveries = 0;
        let events = 0;
        if (cut.deliveriesBefore !== null) {
          const ids = JSON.stringify(
            q(
              this.db,
              `SELECT d.id FROM deliveries d WHERE d.status = 1 AND d.finished < ?
               AND d.webhook_id IN (SELECT id FROM webhooks WHERE tenant_id = ?) LIMIT ?`,
            )
              .pluck()
              .all(cut.deliveriesBefore, tenantId, limit),
          );
          q(this.db, 'DELETE FROM attempts WHERE delivery_id IN (SELECT value FROM json_each(?))').run(ids);
          deliveries = q(this.db, 'DELETE FROM deliveries WHERE id IN (SELECT value FROM json_each(?))').run(ids).changes;
        }
        if (cut.eventsBefore !== null) {
          events = q(
            this.db,
            `DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE e.tenant_id = ? AND e.created < ?
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id) LIMIT ?)`,
          ).run(tenantId, cut.eventsBefore, limit).changes;
        }
        return { deliveries, events };
      })
      .immediate();
  }

  async pruneIdempotencyKeys(before: number): Promise<number> {
    return q(this.db, 'DELETE FROM idempotency_keys WHERE created < ?').run(before).changes;
  }
}
