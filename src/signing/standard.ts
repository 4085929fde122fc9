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

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. `timestampSeconds` is Unix time in seconds. */
export function standardSignatureHeaders(secret: string, id: string, timestampSeconds: number, body: string): StandardHeaders {
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}
