/**
 * The notifications' port: the notices the delivery queue records when a webhook fails or is switched off
 * (NotifyWhen), read by the delivery-log service (in-app) and the ErrorsEmail sender.
 */
import type { Notification } from '../domain/notification.js';

export interface Notifications {
  /** A tenant's notifications, oldest first; with `inAppFor`, only the in-app ones of that associate. */
  listNotifications(tenantId: number, inAppFor?: number): Promise<Notification[]>;
  /** Notifications not yet sent by e-mail, oldest first. */
  unsentNotifications(limit: number): Promise<Notification[]>;
  markNotificationSent(id: number, now: number): Promise<void>;
}
