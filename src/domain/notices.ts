/**
 * Who is told of a webhook's failures, and what they are told (the current carrier's NotifyVia and
 * NotifyWhen): FirstFailure at the first failed attempt after a success, Disabling when the webhook is
 * switched off; by e-mail to ErrorEmails and the ErrorAssociates' addresses, and in-app to the
 * ErrorAssociates. Pure: the store hands in the webhook and its associates.
 */
import { type Associate, NOTIFY_VIA, NOTIFY_WHEN, type Webhook } from './webhook.js';

export type NoticeReason = 'FirstFailure' | 'Disabling';

export interface Notice {
  channel: 'email' | 'inapp';
  /** The associate an in-app notice is for (or whose address an e-mail goes to). */
  associateId: number | null;
  reason: NoticeReason;
  /** An e-mail address, or the associate's user name in-app. */
  recipient: string;
  subject: string;
  body: string;
}

export function noticeMessage(webhook: Webhook, reason: NoticeReason, eventGuid: string): { subject: string; body: string } {
  const what = reason === 'Disabling' ? 'was switched off (TooManyErrors)' : 'failed to deliver an event';
  return {
    subject: `hookd: webhook '${webhook.name}' (${webhook.id}) ${what}`,
    body: [
      `Webhook: ${webhook.name} (id ${webhook.id})`,
      `Target: ${webhook.targetUrl}`,
      `Last EventId: ${eventGuid}`,
      `Consecutive errors: ${webhook.consecutiveErrors}`,
      `Last error:`,
      webhook.lastError ?? '(none)',
      '',
      reason === 'Disabling'
        ? 'Set the webhook State back to Active to resume deliveries; queued events are kept.'
        : 'hookd keeps retrying; the webhook is switched off if the failures go on.',
    ].join('\n'),
  };
}

/** The notices one failure event sends; `associates` are the webhook's ErrorAssociates as stored (others are ignored). */
export function noticesFor(webhook: Webhook, reason: NoticeReason, eventGuid: string, associates: readonly Associate[]): Notice[] {
  if ((webhook.notifyWhen & NOTIFY_WHEN[reason]) === 0) return [];
  const named = associates.filter((a) => a.tenantId === webhook.tenantId && webhook.errorAssociateIds.includes(a.id));
  const message = noticeMessage(webhook, reason, eventGuid);
  const notices: Notice[] = [];
  if ((webhook.notifyVia & NOTIFY_VIA.Email) !== 0) {
    const sent = new Set<string>();
    for (const address of webhook.errorEmails) {
      if (sent.has(address.toLowerCase())) continue;
      sent.add(address.toLowerCase());
      notices.push({ channel: 'email', associateId: null, reason, recipient: address, ...message });
    }
    for (const a of named) {
      if (!a.email || sent.has(a.email.toLowerCase())) continue;
      sent.add(a.email.toLowerCase());
      notices.push({ channel: 'email', associateId: a.id, reason, recipient: a.email, ...message });
    }
  }
  if ((webhook.notifyVia & NOTIFY_VIA.InApp) !== 0) {
    for (const a of named) notices.push({ channel: 'inapp', associateId: a.id, reason, recipient: a.userName, ...message });
  }
  return notices;
}
