/**
 * Which secrets sign a delivery while a secret rotation overlaps (README "Secret rotation"): Standard
 * Webhooks signatures carry the new and the previous secret (`v1,<new> v1,<old>`) until the overlap ends;
 * NetServer's single X-SuperOffice-Signature keeps the previous secret until a test ping signed with the
 * new one has succeeded (the receiver has the new secret) or the overlap ends, whichever comes first.
 */
export interface SecretsOf {
  secret: string | null;
  previousSecret: string | null;
  previousSecretUntil: number | null;
  secretConfirmed: boolean;
}

export interface SigningKeys {
  /** The key of X-SuperOffice-Signature, or null: none sent. */
  netserver: string | null;
  /** The keys of webhook-signature, newest first. */
  standard: string[];
}

export function inOverlap(w: SecretsOf, now: number): boolean {
  return w.previousSecret !== null && w.previousSecretUntil !== null && w.previousSecretUntil > now;
}

export function signingKeys(w: SecretsOf, now: number): SigningKeys {
  const current = w.secret ? [w.secret] : [];
  if (!inOverlap(w, now)) return { netserver: w.secret || null, standard: current };
  const previous = w.previousSecret as string;
  return {
    netserver: w.secretConfirmed ? w.secret || null : previous || null,
    standard: previous ? [...current, previous] : current,
  };
}
