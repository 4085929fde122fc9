/**
 * NetServer's signature (superoffice-webhooks.md §5.3): standard padded base64 of HMAC-SHA256, keyed
 * with the secret's UTF-8 bytes, over the exact body bytes. Sent as `X-SuperOffice-Signature`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signNetServer(secret: string, body: string | Uint8Array): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64');
}

/**
 * The receiver's check: true when `signatureHeader` is the signature of `rawBody` under `secret`.
 * Compares in constant time; a missing or malformed header is simply false.
 */
export function verifySignature(rawBody: string | Uint8Array, signatureHeader: string | null | undefined, secret: string): boolean {
  if (typeof signatureHeader !== 'string' || signatureHeader.length === 0) return false;
  const expected = Buffer.from(signNetServer(secret, rawBody), 'utf8');
  const given = Buffer.from(signatureHeader.trim(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
