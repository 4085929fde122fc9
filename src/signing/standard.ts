/**
 * Standard Webhooks signatures (standardwebhooks.com), sent beside NetServer's when
 * HOOKD_SIGNATURE_SCHEMES includes `standard`: they let receivers reject replays by the timestamp.
 * hookd keys them with the UTF-8 bytes of the webhook's Secret, as it does NetServer's.
 */
import { createHmac } from 'node:crypto';

export interface StandardHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret separated by spaces (a rotation's overlap
 * sends the new and the previous). `timestampSeconds` is Unix time in seconds.
 */
export function standardSignatureHeaders(
  secrets: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): StandardHeaders {
  const signed = `${id}.${timestampSeconds}.${body}`;
  const signatures = (typeof secrets === 'string' ? [secrets] : secrets).map(
    (secret) => `v1,${createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed).digest('base64')}`,
  );
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signatures.join(' ') };
}
