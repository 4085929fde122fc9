/** The Notifications port on SQLite: the notices the queue records, read and marked sent. */
import type { Notification } from '../../domain/notification.js';
import type { Notifications } from '../notifications.js';
import { type NotificationRow, toNotification } from '../rows.js';
import { type Db, q } from './database.js';

export class SqliteNotifications implements Notifications {
  constructor(private readonly db: Db) {}

  async listNotifications(tenantId: number, inAppFor?: number): Promise<Notification[]> {
    const rows =
      inAppFor === undefined
        ? q(this.db, 'SELECT * FROM notifications WHERE tenant_id = ? ORDER BY id').all(tenantId)
        : q(this.db, "SELECT * FROM notifications WHERE tenant_id = ? AND channel = 'inapp' AND associate_id = ? ORDER BY id").all(
            tenantId,
            inAppFor,
          );
    return (rows as NotificationRow[]).map(toNotification);
  }

  async unsentNotifications(limit: number): Promise<Notification[]> {
    return (
      q(this.db, "SELECT * FROM notifications WHERE sent IS NULL AND channel = 'email' ORDER BY id LIMIT ?").all(limit) as NotificationRow[]
    ).map(toNotification);
  }

  async markNotificationSent(id: number, now: number): Promise<void> {
    q(this.db, 'UPDATE notifications SET sent = ? WHERE id = ?').run(now, id);
  }
}
