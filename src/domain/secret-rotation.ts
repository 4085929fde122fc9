/** Secret/Rotate's body, without I/O: the new secret (or null: generate one) and the grace period, or a 400 naming what is wrong. */
import { type FieldError, invalidFields } from './errors.js';
import { LIMITS } from './webhook.js';
import { pick } from './webhook-input.js';

/** A rotation's overlap: 24 h unless the caller says otherwise, at most 30 days. */
const DEFAULT_GRACE_HOURS = 24;
const MAX_GRACE_HOURS = 720;

export function readRotation(raw: unknown): { secret: string | null; graceHours: number } {
  const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const errors: FieldError[] = [];
  const secretRaw = pick(body, 'Secret');
  let secret: string | null = null;
  if (secretRaw !== undefined && secretRaw !== null && secretRaw !== '') {
    if (typeof secretRaw !== 'string' || secretRaw.length < 16 || secretRaw.length > LIMITS.secret) {
      errors.push({ property: 'Secret', rule: `must be a string of 16 to ${LIMITS.secret} characters (omit it to have one generated)` });
    } else secret = secretRaw;
  }
  const graceRaw = pick(body, 'GracePeriodHours');
  const grace = graceRaw === undefined || graceRaw === null ? DEFAULT_GRACE_HOURS : Number(graceRaw);
  if (!Number.isFinite(grace) || grace < 0 || grace > MAX_GRACE_HOURS) {
    errors.push({ property: 'GracePeriodHours', rule: `must be a number of hours from 0 to ${MAX_GRACE_HOURS}` });
  }
  if (errors.length > 0) throw invalidFields(errors);
  return { secret, graceHours: grace };
}
