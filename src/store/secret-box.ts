/**
 * Webhook secrets at rest: AES-256-GCM with the key of HOOKD_ENCRYPTION_KEY. A sealed value reads
 * `enc:v1:<key id>:<base64 of iv | tag | ciphertext>`; the key id (the first 8 hex digits of the key's
 * SHA-256) tells which key sealed it, so previous keys can still open old values while they are resealed.
 * Without a key, secrets are stored as given (and hookd warns at start).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
// GCM's recommended 96-bit nonce and full 128-bit tag.
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Claims open the same few secrets over and over; a small memo keeps AES off the hot path.
const MEMO_LIMIT = 10_000;

interface Key {
  id: string;
  bytes: Buffer;
}

/** A 32-byte key from base64 (44 characters) or hex (64 characters), or the reason it is not one. */
export function parseKey(text: string): Buffer | string {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && bytes.toString('base64') !== trimmed)) {
    return 'must be 32 random bytes written as base64 (openssl rand -base64 32) or as 64 hex digits';
  }
  return bytes;
}

function toKey(bytes: Buffer): Key {
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

/** The id a key's sealed values carry (enc:v1:<id>:…), or null when `text` is no key. */
export function keyIdOf(text: string): string | null {
  const key = parseKey(text);
  return typeof key === 'string' ? null : toKey(key).id;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export class SecretBox {
  private readonly current: Key | null;
  private readonly keys = new Map<string, Key>();
  private readonly memo = new Map<string, string>();

  /** `current` seals; `current` and `previous` open. */
  constructor(current: Buffer | null, previous: Buffer[] = []) {
    this.current = current ? toKey(current) : null;
    for (const k of [...(this.current ? [this.current] : []), ...previous.map(toKey)]) this.keys.set(k.id, k);
  }

  /** The box for HOOKD_ENCRYPTION_KEY and HOOKD_PREVIOUS_ENCRYPTION_KEYS (already validated by loadConfig). */
  static fromSettings(current: string, previous: readonly string[]): SecretBox {
    const bytes = (text: string): Buffer => {
      const key = parseKey(text);
      if (typeof key === 'string') throw new Error(`an encryption key ${key}`);
      return key;
    };
    return new SecretBox(current === '' ? null : bytes(current), previous.map(bytes));
  }

  get encrypts(): boolean {
    return this.current !== null;
  }

  /** The stored form of a secret: sealed with the current key, or as given when there is none. */
  seal(secret: string | null): string | null {
    if (secret === null || !this.current) return secret;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** The secret of a stored value; throws when it was sealed with a key this box does not hold, or tampered with. */
  open(stored: string | null): string | null {
    if (stored === null || !isSealed(stored)) return stored;
    const known = this.memo.get(stored);
    if (known !== undefined) return known;
    const [keyId, data] = stored.slice(PREFIX.length).split(':');
    const key = this.keys.get(keyId ?? '');
    if (!key) {
      throw new Error(
        `a webhook secret is encrypted with key ${keyId}, which is neither HOOKD_ENCRYPTION_KEY nor one of HOOKD_PREVIOUS_ENCRYPTION_KEYS`,
      );
    }
    const raw = Buffer.from(data ?? '', 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const secret = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(stored, secret);
    return secret;
  }

  /** The stored value rewritten for the current key (plain or old-key values sealed anew), or null when it is already right. */
  reseal(stored: string): string | null {
    if (!this.current) {
      if (isSealed(stored)) this.open(stored); // fails loudly: encrypted secrets but no key
      return null;
    }
    if (isSealed(stored) && stored.startsWith(`${PREFIX}${this.current.id}:`)) return null;
    return this.seal(this.open(stored));
  }
}
