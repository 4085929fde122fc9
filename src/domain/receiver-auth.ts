/**
 * Receiver authentication (issue 25): hookd's extensions beside the NetServer carrier that say how a webhook proves
 * itself to its receiver beyond the HMAC signature — a client certificate (mutual TLS), a private CA to trust the
 * receiver's certificate by, OAuth2 client credentials (RFC 6749 §4.4) or basic auth. Pure: reads the carrier's
 * `ReceiverAuth` property, checks it, and shows it without a secret (the key, client secret and password are
 * sealed at rest like Secret and never returned; a client certificate is shown by fingerprint and expiry only).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { FieldError } from './errors.js';
import { checkInput } from './input-guard.js';
import { targetUrlProblem } from './target-url.js';
import { utcTimestamp } from './timestamp.js';

export {
  OAUTH2_METHODS,
  type BasicAuth,
  type ClientCertificate,
  type OAuth2Client,
  type OAuth2Method,
  type ReceiverAuth,
} from './receiver-auth-types.js';
import type { BasicAuth, ClientCertificate, OAuth2Client, OAuth2Method, ReceiverAuth } from './receiver-auth-types.js';
import { OAUTH2_METHODS } from './receiver-auth-types.js';
import { pick } from './carrier-fields.js';

/**
 * Sizes: a certificate chain of a leaf and two intermediates in PEM is ~6 KB and an RSA-4096 key ~3.3 KB; 16 KB and
 * 64 KB (a CA bundle) leave room without letting a carrier carry megabytes into every owner's memory.
 */
export const RECEIVER_AUTH_LIMITS = {
  certPem: 16_384,
  keyPem: 16_384,
  caPem: 65_536,
  tokenUrl: 2_000,
  clientId: 400,
  clientSecret: 1_000,
  scope: 1_000,
  audience: 1_000,
  user: 200,
  password: 400,
} as const;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
// Printable ASCII (and tab) only: these go into a form body or an Authorization header.
const PLAIN = /^[\x20-\x7e]*$/;
// PEM is ASCII text (RFC 7468 §2): no NUL or other control character is in a certificate or key, and PostgreSQL
// refuses a text value holding a NUL (the certificates are stored as given).
const PEM_TEXT = /^[\t\n\r\x20-\x7e]*$/;
const NOT_PEM_TEXT = 'must be PEM text: printable ASCII and line breaks only';

/** What the rules of the webhook's target also apply to (the token URL passes the receiver's target checks). */
export interface AuthRules {
  allowPrivateTargets: boolean;
  allowedNetworks?: readonly string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const get = pick;

/** The certificates of a PEM text, or the reason it holds none that parse. */
export function parseCertificates(pem: string): X509Certificate[] | string {
  const blocks = pem.match(PEM_CERT);
  if (!blocks || blocks.length === 0) return 'must be PEM text with at least one -----BEGIN CERTIFICATE----- block';
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      return 'holds a certificate block that does not parse';
    }
  }
  return certs;
}

function str(
  raw: Record<string, unknown>,
  name: string,
  path: string,
  max: number,
  errors: FieldError[],
  required: boolean,
): string | null | undefined {
  const v = get(raw, name);
  if (v === undefined || v === null || v === '') {
    if (required && v !== undefined) errors.push({ property: path, rule: 'is required' });
    return v === undefined ? undefined : null;
  }
  if (typeof v !== 'string') {
    errors.push({ property: path, rule: 'must be a string' });
    return null;
  }
  if (v.length > max) {
    errors.push({ property: path, rule: `must be at most ${max} characters` });
    return null;
  }
  return v;
}

function readClientCertificate(v: unknown, stored: ClientCertificate | null, errors: FieldError[]): ClientCertificate | null {
  const path = 'ReceiverAuth.ClientCertificate';
  if (v === null || v === '') return null;
  if (!isObject(v)) {
    errors.push({ property: path, rule: 'must be an object with Certificate and Key (PEM), or null' });
    return null;
  }
  const before = errors.length;
  // An empty field (null or '', as a form sends one) is left out: never a way to drop mutual TLS unseen.
  const certPem = str(v, 'Certificate', `${path}.Certificate`, RECEIVER_AUTH_LIMITS.certPem, errors, false) ?? undefined;
  const keyGiven = str(v, 'Key', `${path}.Key`, RECEIVER_AUTH_LIMITS.keyPem, errors, false) ?? undefined;
  if (errors.length > before) return null;
  // The shown form ({Subject, Fingerprint, Expires}) sent back as it came keeps the stored certificate and key.
  if (certPem === undefined && keyGiven === undefined && stored) return stored;
  // A certificate alone keeps the stored key (a renewal for the same key; checked against it below).
  const keyPem = keyGiven ?? (certPem !== undefined ? stored?.keyPem : undefined);
  if (certPem === undefined || keyPem === undefined) {
    errors.push({
      property: path,
      rule: 'needs both Certificate and Key as PEM (the key is never shown: send both, or a renewed certificate alone for the stored key)',
    });
    return null;
  }
  if (!PEM_TEXT.test(certPem)) {
    errors.push({ property: `${path}.Certificate`, rule: NOT_PEM_TEXT });
    return null;
  }
  if (!PEM_TEXT.test(keyPem)) {
    errors.push({ property: `${path}.Key`, rule: NOT_PEM_TEXT });
    return null;
  }
  const certs = parseCertificates(certPem);
  if (typeof certs === 'string') {
    errors.push({ property: `${path}.Certificate`, rule: certs });
    return null;
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    errors.push({ property: `${path}.Key`, rule: 'must be an unencrypted private key in PEM' });
    return null;
  }
  if (!(certs[0] as X509Certificate).checkPrivateKey(key)) {
    errors.push({ property: `${path}.Key`, rule: "is not the certificate's private key" });
    return null;
  }
  return { certPem, keyPem };
}

function readCa(v: unknown, stored: string | null, errors: FieldError[]): string | null {
  const path = 'ReceiverAuth.CaCertificates';
  if (v === null || v === '') return null;
  // The shown form (a list of fingerprints) sent back keeps the stored bundle.
  if (Array.isArray(v) && stored !== null) return stored;
  if (typeof v !== 'string') {
    errors.push({ property: path, rule: 'must be PEM text of one or more CA certificates, or null' });
    return null;
  }
  if (v.length > RECEIVER_AUTH_LIMITS.caPem) {
    errors.push({ property: path, rule: `must be at most ${RECEIVER_AUTH_LIMITS.caPem} characters` });
    return null;
  }
  if (!PEM_TEXT.test(v)) {
    errors.push({ property: path, rule: NOT_PEM_TEXT });
    return null;
  }
  const certs = parseCertificates(v);
  if (typeof certs === 'string') {
    errors.push({ property: path, rule: certs });
    return null;
  }
  return v;
}

function readOAuth2(v: unknown, stored: OAuth2Client | null, rules: AuthRules, errors: FieldError[]): OAuth2Client | null {
  const path = 'ReceiverAuth.OAuth2';
  if (v === null || v === '') return null;
  if (!isObject(v)) {
    errors.push({
      property: path,
      rule: 'must be an object with TokenUrl, ClientId, ClientSecret (Scope, Audience, Method optional), or null',
    });
    return null;
  }
  const before = errors.length;
  const tokenUrl = str(v, 'TokenUrl', `${path}.TokenUrl`, RECEIVER_AUTH_LIMITS.tokenUrl, errors, true);
  const clientId = str(v, 'ClientId', `${path}.ClientId`, RECEIVER_AUTH_LIMITS.clientId, errors, true);
  const secretRaw = str(v, 'ClientSecret', `${path}.ClientSecret`, RECEIVER_AUTH_LIMITS.clientSecret, errors, true);
  const scope = str(v, 'Scope', `${path}.Scope`, RECEIVER_AUTH_LIMITS.scope, errors, false) ?? null;
  const audience = str(v, 'Audience', `${path}.Audience`, RECEIVER_AUTH_LIMITS.audience, errors, false) ?? null;
  const methodRaw = get(v, 'Method');
  const method =
    methodRaw === undefined || methodRaw === null || methodRaw === ''
      ? 'client_secret_basic'
      : OAUTH2_METHODS.find((m) => typeof methodRaw === 'string' && m === methodRaw.toLowerCase());
  if (method === undefined) errors.push({ property: `${path}.Method`, rule: "must be 'client_secret_basic' or 'client_secret_post'" });
  if (tokenUrl === undefined) errors.push({ property: `${path}.TokenUrl`, rule: 'is required' });
  if (clientId === undefined) errors.push({ property: `${path}.ClientId`, rule: 'is required' });
  // Never shown: a carrier sent back without it keeps the stored one (of the same client).
  const clientSecret = secretRaw === undefined && stored !== null && stored.clientId === clientId ? stored.clientSecret : secretRaw;
  if (clientSecret === undefined) errors.push({ property: `${path}.ClientSecret`, rule: 'is required' });
  if (typeof tokenUrl === 'string') {
    const problem = targetUrlProblem(tokenUrl, rules.allowPrivateTargets, rules.allowedNetworks);
    if (problem) errors.push({ property: `${path}.TokenUrl`, rule: problem });
    else if (!/^https:/i.test(tokenUrl) && !rules.allowPrivateTargets)
      errors.push({ property: `${path}.TokenUrl`, rule: 'must be an https URL' });
  }
  for (const [name, value] of [
    ['ClientId', clientId],
    ['ClientSecret', clientSecret],
    ['Scope', scope],
    ['Audience', audience],
  ] as const) {
    if (typeof value === 'string' && !PLAIN.test(value)) errors.push({ property: `${path}.${name}`, rule: 'must be printable ASCII' });
  }
  if (errors.length > before) return null;
  return {
    tokenUrl: tokenUrl as string,
    clientId: clientId as string,
    clientSecret: clientSecret as string,
    scope,
    audience,
    method: method as OAuth2Method,
  };
}

function readBasic(v: unknown, stored: BasicAuth | null, errors: FieldError[]): BasicAuth | null {
  const path = 'ReceiverAuth.Basic';
  if (v === null || v === '') return null;
  if (!isObject(v)) {
    errors.push({ property: path, rule: 'must be an object with UserName and Password, or null' });
    return null;
  }
  const before = errors.length;
  const user = str(v, 'UserName', `${path}.UserName`, RECEIVER_AUTH_LIMITS.user, errors, true);
  const passwordRaw = str(v, 'Password', `${path}.Password`, RECEIVER_AUTH_LIMITS.password, errors, true);
  if (user === undefined) errors.push({ property: `${path}.UserName`, rule: 'is required' });
  const password = passwordRaw === undefined && stored !== null && stored.user === user ? stored.password : passwordRaw;
  if (password === undefined) errors.push({ property: `${path}.Password`, rule: 'is required' });
  // RFC 7617 §2: the user-id cannot contain a colon.
  if (typeof user === 'string' && (user.includes(':') || !PLAIN.test(user)))
    errors.push({ property: `${path}.UserName`, rule: 'must be printable ASCII without a colon' });
  if (typeof password === 'string' && !PLAIN.test(password)) errors.push({ property: `${path}.Password`, rule: 'must be printable ASCII' });
  return errors.length > before ? null : { user: user as string, password: password as string };
}

/**
 * The carrier's ReceiverAuth: absent keeps `stored` (a NetServer client's PUT), null removes it all; in the object each
 * part absent keeps its stored value, null removes it, and a secret left out keeps the stored one.
 */
export function readReceiverAuth(
  raw: Record<string, unknown>,
  stored: ReceiverAuth | null,
  rules: AuthRules,
  type: string,
  errors: FieldError[],
): ReceiverAuth | null {
  let v = get(raw, 'ReceiverAuth');
  if (v === undefined) return stored;
  if (v === null || v === '') return null;
  // XML and form bodies carry it as JSON text, as they do Filter.
  if (typeof v === 'string' && v.trimStart().startsWith('{')) {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      errors.push({ property: 'ReceiverAuth', rule: 'must be a JSON object when given as text' });
      return null;
    }
    // JSON text inside a body is a body too: the same guard as the parsers' (prototype keys, depth).
    checkInput(v, 'request body');
  }
  if (!isObject(v)) {
    errors.push({ property: 'ReceiverAuth', rule: 'must be an object (ClientCertificate, CaCertificates, OAuth2, Basic) or null' });
    return null;
  }
  const part = <T>(name: string, keep: T | null, read: (x: unknown) => T | null): T | null => {
    const x = get(v, name);
    return x === undefined ? keep : read(x);
  };
  const auth: ReceiverAuth = {
    clientCertificate: part('ClientCertificate', stored?.clientCertificate ?? null, (x) =>
      readClientCertificate(x, stored?.clientCertificate ?? null, errors),
    ),
    caCertificates: part('CaCertificates', stored?.caCertificates ?? null, (x) => readCa(x, stored?.caCertificates ?? null, errors)),
    oauth2: part('OAuth2', stored?.oauth2 ?? null, (x) => readOAuth2(x, stored?.oauth2 ?? null, rules, errors)),
    basic: part('Basic', stored?.basic ?? null, (x) => readBasic(x, stored?.basic ?? null, errors)),
  };
  if (auth.oauth2 && auth.basic) errors.push({ property: 'ReceiverAuth', rule: 'OAuth2 and Basic both set Authorization: choose one' });
  const empty = !auth.clientCertificate && !auth.caCertificates && !auth.oauth2 && !auth.basic;
  if (!empty && type !== 'webhook') errors.push({ property: 'ReceiverAuth', rule: `applies to HTTP webhooks only, not type '${type}'` });
  return empty ? null : auth;
}

/** A certificate as the API shows it: never the key. */
export function certificateSummary(c: X509Certificate): Record<string, unknown> {
  return { Subject: c.subject, Fingerprint: c.fingerprint256, Expires: utcTimestamp(Date.parse(c.validTo)) };
}

/** ReceiverAuth as the carrier shows it: no key, client secret or password. */
export function receiverAuthCarrier(a: ReceiverAuth): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.clientCertificate) {
    const certs = parseCertificates(a.clientCertificate.certPem);
    if (typeof certs !== 'string') out.ClientCertificate = certificateSummary(certs[0] as X509Certificate);
  }
  if (a.caCertificates) {
    const certs = parseCertificates(a.caCertificates);
    if (typeof certs !== 'string') out.CaCertificates = certs.map(certificateSummary);
  }
  if (a.oauth2) {
    const o = a.oauth2;
    out.OAuth2 = { TokenUrl: o.tokenUrl, ClientId: o.clientId, Scope: o.scope ?? '', Audience: o.audience ?? '', Method: o.method };
  }
  if (a.basic) out.Basic = { UserName: a.basic.user };
  return out;
}

/** What an audit record says changed in ReceiverAuth: which parts, never a secret. */
export function receiverAuthParts(a: ReceiverAuth | null): string[] {
  if (!a) return [];
  const parts: string[] = [];
  if (a.clientCertificate) parts.push('ClientCertificate');
  if (a.caCertificates) parts.push('CaCertificates');
  if (a.oauth2) parts.push('OAuth2');
  if (a.basic) parts.push('Basic');
  return parts;
}
