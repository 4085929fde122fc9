/**
 * The audit log (issue 25): who changed what, when and from where — webhooks and their credentials, tenants, users,
 * tokens, application access, retention and recover jobs. Pure: which requests are changes, and what of a request
 * body is written down. Values are written only for properties that never hold a secret; of every other property
 * only its name (a secret, a password, a key or a token is never written).
 */
import { isPlainObject, pick } from './carrier-fields.js';
import { pointerSegments } from './patch.js';

export type ActorKind = 'user' | 'application' | 'portal';

export interface AuditEntry {
  tenantId: number;
  at: number;
  actorKind: ActorKind;
  /** The associate's id and user name (for an application: the user it acts for). */
  actorId: number;
  actorName: string;
  /** The application: the first 12 hex digits of its SO-AppToken's SHA-256 (never the token); null for a user. */
  application: string | null;
  /** The client's address as the API saw it (HOOKD_TRUST_PROXY applied). */
  address: string;
  action: string;
  webhookId: number | null;
  /** What changed: property names, and the values of the harmless ones. */
  changes: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

export interface AuditFilter {
  from: number | null;
  to: number | null;
  /** An actor's user name (or an application's hash). */
  actor: string | null;
  webhookId: number | null;
  /** Only this application's records (an application caller reads no other's). */
  application?: string | null;
  top: number;
  skip: number;
}

/** Route (method and declared path, as the API's router knows it) → the action it records. */
export const AUDITED_ROUTES: Readonly<Record<string, string>> = {
  'POST /Webhook': 'webhook.create',
  'PUT /Webhook/:id': 'webhook.update',
  'PATCH /Webhook/:id': 'webhook.update',
  'DELETE /Webhook/:id': 'webhook.delete',
  'POST /Webhook/:id/Secret/Rotate': 'webhook.secret-rotate',
  'POST /Webhook/:id/Secret/Confirm': 'webhook.secret-confirm',
  'POST /Webhook/:id/Recover': 'recover.start',
  'POST /Webhook/Recover': 'recover.start',
  'POST /Webhook/:id/Deliveries/:deliveryId/Retry': 'delivery.retry',
  'PUT /Retention': 'retention.update',
  'POST /Auth/Tokens': 'token.create',
  'DELETE /Auth/Tokens/:id': 'token.delete',
  'POST /Portal/Token': 'portal-token.create',
  'POST /Tenant': 'tenant.create',
  'POST /Associate': 'user.create',
  'POST /AppAccess': 'app-access.grant',
  'DELETE /AppAccess/:hash': 'app-access.revoke',
};

/** NetServer's RPC methods (POST /Agents/Webhook/:method) that change something. */
const AGENT_ACTIONS: Readonly<Record<string, string>> = {
  createwebhook: 'webhook.create',
  savewebhook: 'webhook.update',
  deletewebhook: 'webhook.delete',
};

/** The action a request records, or null when it changes nothing worth recording (reads, tests, signals). */
export function auditAction(method: string, route: string, params: Record<string, string | undefined>, body?: unknown): string | null {
  if (method === 'POST' && route === '/Agents/Webhook/:method') {
    const action = AGENT_ACTIONS[(params.method ?? '').toLowerCase()] ?? null;
    // SaveWebhook without a WebhookId (or with 0) creates one, as the RPC route decides.
    if (action === 'webhook.update' && isPlainObject(body)) {
      const id = pick(body, 'WebhookId');
      if (id === undefined || id === null || id === '' || Number(id) === 0) return 'webhook.create';
    }
    return action;
  }
  return AUDITED_ROUTES[`${method} ${route}`] ?? null;
}

/** Properties whose values are written as given (lower case): none can hold a secret. */
const SHOWN = new Set([
  'name',
  'events',
  'targeturl',
  'state',
  'type',
  'description',
  'maxpersecond',
  'ordering',
  'sendtracecontext',
  'deliveryretentiondays',
  'eventretentiondays',
  'graceperiodhours',
  'from',
  'to',
  'username',
  'contextidentifier',
  'identifier',
  'webhookid',
  'isadmin',
  'dryrun',
]);
// Long values are cut: the audit log says what changed, it does not archive it.
const VALUE_LIMIT = 500;
// Property names too: a body may carry unknown ones (ignored by the carrier) of any length, up to the body limit
// (1 MiB), which would all be written; 100 names of at most 100 characters keep a record within ~10 KB.
const NAME_LIMIT = 100;

function named(key: string): string {
  return key.length > NAME_LIMIT ? `${key.slice(0, NAME_LIMIT)}…` : key;
}

function shown(value: unknown): unknown {
  if (typeof value === 'string') return value.length > VALUE_LIMIT ? `${value.slice(0, VALUE_LIMIT)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return shown(value.join(','));
  return '(set)';
}

/**
 * What a request body changes, for the log: `Set` lists every property given; `Values` the harmless ones' values;
 * `ReceiverAuth` which of its parts were given (never their contents). The Agents RPC's `Webhook` is looked into.
 */
export function auditChanges(body: unknown): Record<string, unknown> {
  if (Array.isArray(body)) return patchChanges(body);
  if (typeof body !== 'object' || body === null) return {};
  let b = body as Record<string, unknown>;
  const nested = Object.keys(b).find((k) => k.toLowerCase() === 'webhook');
  if (nested && typeof b[nested] === 'object' && b[nested] !== null && !Array.isArray(b[nested])) b = b[nested] as Record<string, unknown>;
  const set: string[] = [];
  const values: Record<string, unknown> = {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(b).slice(0, 100)) {
    set.push(named(key));
    const value = b[key];
    if (SHOWN.has(key.toLowerCase())) values[key] = shown(value);
    if (key.toLowerCase() === 'receiverauth') {
      out.ReceiverAuth =
        value === null
          ? 'removed'
          : typeof value === 'object' && !Array.isArray(value)
            ? Object.keys(value as object)
                .slice(0, 10)
                .map(named)
            : '(set)';
    }
  }
  return { Set: set, ...(Object.keys(values).length > 0 ? { Values: values } : {}), ...out };
}

/**
 * What a JSON Patch (PATCH /Webhook/:id as an array of operations) changes, in auditChanges' form: `Set` the
 * properties its operations name, `Values` a harmless property's new value when an operation sets it whole, and
 * `ReceiverAuth` the parts named (a path into it, or the keys of an object set whole). `test` changes nothing.
 */
function patchChanges(ops: unknown[]): Record<string, unknown> {
  const set = new Set<string>();
  const values: Record<string, unknown> = {};
  const parts = new Set<string>();
  let authRemoved = false;
  let authText = false;
  for (const op of ops.slice(0, 100)) {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) continue;
    const { op: kind, path, value } = op as Record<string, unknown>;
    if (typeof path !== 'string' || typeof kind !== 'string' || kind.toLowerCase() === 'test') continue;
    const [top, part] = pointerSegments(path);
    if (!top) continue;
    set.add(named(top));
    const removed = kind.toLowerCase() === 'remove';
    if (part === undefined && SHOWN.has(top.toLowerCase())) values[top] = removed ? null : shown(value);
    if (top.toLowerCase() !== 'receiverauth') continue;
    if (part !== undefined) parts.add(named(part));
    else if (removed || value === null) authRemoved = true;
    else if (typeof value === 'object' && !Array.isArray(value)) for (const k of Object.keys(value).slice(0, 10)) parts.add(named(k));
    else authText = true;
  }
  const out: Record<string, unknown> = { Set: [...set] };
  if (Object.keys(values).length > 0) out.Values = values;
  if (parts.size > 0) out.ReceiverAuth = [...parts].slice(0, 10);
  else if (authText) out.ReceiverAuth = '(set)';
  else if (authRemoved) out.ReceiverAuth = 'removed';
  return out;
}
