/** The Notifications port on PostgreSQL: the notices the queue records, read and marked sent. */
import type pg from 'pg';
import type { Notification } from '../../domain/notification.js';
import type { Notifications } from '../notifications.js';
import { type NotificationRow, toNotification } from '../rows.js';

export class PostgresNotifications implements Notifications {
  constructor(private readonly pool: pg.Pool) {}

  async listNotifications(tenantId: number, inAppFor?: number): Promise<Notification[]> {
    const { rows } =
      inAppFor === undefined
        ? await this.pool.query<NotificationRow>('SELECT * FROM notifications WHERE tenant_id = $1 ORDER BY id', [tenantId])
        : await this.pool.query<NotificationRow>(
            "SELECT * FROM notifications WHERE tenant_id = $1 AND channel = 'inapp' AND associate_id = $2 ORDER BY id",
            [tenantId, inAppFor],
          );
    return rows.map(toNotification);
  }

  async unsentNotifications(limit: number): Promise<Notification[]> {
    const { rows } = await this.pool.query<NotificationRow>(
      "SELECT * FROM notifications WHERE sent IS NULL AND channel = 'email' ORDER BY id LIMIT $1",
      [limit],
    );
    return rows.map(toNotification);
  }

  async markNotificationSent(id: number, now: number): Promise<void> {
    await this.pool.query('UPDATE notifications SET sent = $1 WHERE id = $2', [now, id]);
  }
}
