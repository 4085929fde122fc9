/** A notice that a webhook failed or was switched off (NotifyWhen), kept for the e-mail sender and the in-app list. */
export interface Notification {
  id: number;
  tenantId: number;
  webhookId: number;
  /** By e-mail to `recipient`, or in-app for `associateId` (never mailed). */
  channel: 'email' | 'inapp';
  associateId: number | null;
  /** The NotifyWhen flag that fired. */
  reason: 'FirstFailure' | 'Disabling';
  recipient: string;
  subject: string;
  body: string;
  created: number;
  sent: number | null;
}
