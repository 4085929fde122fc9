/**
 * Turns a client's Webhook carrier (JSON, XML or form, already parsed) into a WebhookInput, naming every
 * property and the rule it breaks. Pure: which plugins exist and whether http is allowed are arguments.
 */
import { isPlainObject, pick } from './carrier-fields.js';
import { readFilter, readMaxPerSecond, readOrdering, readSendTraceContext } from './control-input.js';
import { FORBIDDEN_KEYS } from './input-guard.js';
import { type FieldError, HookdError, invalidFields } from './errors.js';
import { subscriptionProblem } from './event-names.js';
import { targetUrlProblem } from './target-url.js';
import { readReceiverAuth } from './receiver-auth.js';
import { LIMITS, NOTIFY_VIA, NOTIFY_WHEN, type NotifyFlags, WEBHOOK_STATES, type WebhookInput, type WebhookState } from './webhook.js';

export interface InputRules {
  plugins: readonly string[];
  allowPrivateTargets: boolean;
  allowedNetworks?: readonly string[];
}

/** Payload fields a Property may not shadow (decisions.md: Properties). */
export const PAYLOAD_FIELDS = [
  'EventId',
  'Timestamp',
  'Changes',
  'Event',
  'PrimaryKey',
  'Entity',
  'ContextIdentifier',
  'ChangedByAssociateId',
  'WebhookName',
  'Values',
  'FieldValues',
];

/** Headers hookd sets itself (decisions.md: custom Headers). */
const RESERVED_HEADERS = ['content-type', 'content-length', 'host', 'user-agent', 'connection', 'transfer-encoding'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseState(value: unknown): WebhookState | null {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const n = Number(value);
    return n >= 1 && n <= 3 ? (WEBHOOK_STATES[n] ?? null) : null;
  }
  if (typeof value !== 'string') return null;
  const found = WEBHOOK_STATES.find((s) => s.toLowerCase() === value.toLowerCase());
  return found && found !== 'Unknown' ? found : null;
}

function text(raw: Record<string, unknown>, name: string, max: number, errors: FieldError[], required: boolean): string | null {
  const v = pick(raw, name);
  if (v === undefined || v === null || v === '') {
    if (required) errors.push({ property: name, rule: 'is required' });
    return null;
  }
  if (typeof v !== 'string') {
    errors.push({ property: name, rule: 'must be a string' });
    return null;
  }
  if (v.length > max) errors.push({ property: name, rule: `may be at most ${max} characters (it has ${v.length})` });
  return v;
}

function readEvents(raw: Record<string, unknown>, errors: FieldError[]): string[] {
  const v = pick(raw, 'Events');
  let list: unknown[];
  if (typeof v === 'string')
    list = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  else if (Array.isArray(v)) list = v;
  else if (v === undefined || v === null) list = [];
  else {
    errors.push({ property: 'Events', rule: "must be an array of event names such as ['contact.created']" });
    return [];
  }
  if (list.length === 0) errors.push({ property: 'Events', rule: 'must name at least one event' });
  const events: string[] = [];
  for (const e of list) {
    if (typeof e !== 'string') {
      errors.push({ property: 'Events', rule: 'must contain only strings' });
      continue;
    }
    const problem = subscriptionProblem(e);
    if (problem) errors.push({ property: 'Events', rule: problem });
    else if (!events.includes(e)) events.push(e);
  }
  const joined = events.join(',').length;
  if (joined > LIMITS.events) {
    errors.push({ property: 'Events', rule: `may be at most ${LIMITS.events} characters when joined (it has ${joined})` });
  }
  return events;
}

function readHeaders(raw: Record<string, unknown>, errors: FieldError[]): Record<string, string> | null {
  const v = pick(raw, 'Headers');
  if (v === undefined || v === null) return null;
  if (!isPlainObject(v)) {
    errors.push({ property: 'Headers', rule: 'must be an object of header names to string values' });
    return null;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_KEYS.has(name)) errors.push({ property: `Headers.${name}`, rule: 'is not accepted as a name' });
    else if (!HEADER_NAME.test(name)) errors.push({ property: `Headers.${name}`, rule: 'is not a valid HTTP header name' });
    else if (RESERVED_HEADERS.includes(lower) || lower.startsWith('x-superoffice-')) {
      errors.push({ property: `Headers.${name}`, rule: 'is set by hookd itself and may not be overridden' });
    } else if (typeof value !== 'string') errors.push({ property: `Headers.${name}`, rule: 'must be a string' });
    else if (!HEADER_VALUE.test(value)) {
      errors.push({ property: `Headers.${name}`, rule: 'may not contain line breaks or control characters' });
    } else headers[name] = value;
  }
  return headers;
}

function readProperties(raw: Record<string, unknown>, errors: FieldError[]): Record<string, unknown> | null {
  const v = pick(raw, 'Properties');
  if (v === undefined || v === null) return null;
  if (!isPlainObject(v)) {
    errors.push({ property: 'Properties', rule: 'must be an object of names to values' });
    return null;
  }
  for (const key of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(key)) errors.push({ property: `Properties.${key}`, rule: 'is not accepted as a name' });
    else if (PAYLOAD_FIELDS.some((f) => f.toLowerCase() === key.toLowerCase())) {
      errors.push({ property: `Properties.${key}`, rule: 'names a field of the payload and would overwrite it' });
    }
  }
  return v;
}

/** Flags by number (0–3), by name (`Email`), as NetServer writes them (`Email, InApp`) or as a list of names. */
export function parseFlags(value: unknown, flags: NotifyFlags): number | null {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const n = Number(value);
    return Number.isInteger(n) && n >= 0 && n <= 3 ? n : null;
  }
  const names = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (names === null) return null;
  let result = 0;
  for (const name of names) {
    if (typeof name !== 'string') return null;
    const found = Object.entries(flags).find(([k]) => k.toLowerCase() === name.trim().toLowerCase());
    if (!found) return null;
    result |= found[1];
  }
  return result;
}

function readFlags(raw: Record<string, unknown>, name: 'NotifyVia' | 'NotifyWhen', errors: FieldError[]): number {
  const flags = name === 'NotifyVia' ? NOTIFY_VIA : NOTIFY_WHEN;
  const v = pick(raw, name);
  // Unset: failures are told by e-mail when the webhook is switched off, NetServer's ErrorsEmail rule.
  if (v === undefined || v === null || v === '') return name === 'NotifyVia' ? NOTIFY_VIA.Email : NOTIFY_WHEN.Disabling;
  const parsed = parseFlags(v, flags);
  if (parsed === null) {
    const names = Object.keys(flags).join(', ');
    errors.push({ property: name, rule: `must be flags of ${names} (a number 0–3, a name, or names separated by commas)` });
    return 0;
  }
  return parsed;
}

function splitAddresses(text: string): string[] {
  return text
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** ErrorsEmail as the addresses that fit its column, comma separated. */
function joinAddresses(list: string[]): string | null {
  let joined = '';
  for (const a of list) {
    const next = joined === '' ? a : `${joined},${a}`;
    if (next.length > LIMITS.errorsEmail) break;
    joined = next;
  }
  return joined === '' ? null : joined;
}

/**
 * ErrorEmails and its obsolete form ErrorsEmail, kept consistent: whichever a client sent decides; when it sent
 * both and they disagree, the one it changed from the stored webhook decides (a client that knows only
 * ErrorsEmail sends ErrorEmails back as it read it).
 */
function readErrorEmails(
  raw: Record<string, unknown>,
  current: { errorEmails: string[] } | undefined,
  errors: FieldError[],
): { errorEmails: string[]; errorsEmail: string | null } {
  const single = text(raw, 'ErrorsEmail', LIMITS.errorsEmail, errors, false);
  const listRaw = pick(raw, 'ErrorEmails');
  let list: string[] | null = null;
  if (Array.isArray(listRaw)) {
    if (listRaw.some((a) => typeof a !== 'string')) errors.push({ property: 'ErrorEmails', rule: 'must be a list of e-mail addresses' });
    else list = (listRaw as string[]).map((a) => a.trim()).filter((a) => a !== '');
  } else if (typeof listRaw === 'string') list = splitAddresses(listRaw);
  else if (listRaw !== undefined && listRaw !== null) errors.push({ property: 'ErrorEmails', rule: 'must be a list of e-mail addresses' });

  const fromSingle = single === null ? [] : splitAddresses(single);
  let chosen: string[];
  if (list === null) chosen = fromSingle;
  else if (single === null || fromSingle.join(',') === list.join(',')) chosen = list;
  else chosen = current && current.errorEmails.join(',') === list.join(',') ? fromSingle : list;

  const source = chosen === fromSingle ? 'ErrorsEmail' : 'ErrorEmails';
  const unique = [...new Set(chosen)];
  for (const a of unique) if (!EMAIL.test(a)) errors.push({ property: source, rule: `'${a}' is not an e-mail address` });
  if (unique.length > LIMITS.errorEmails) errors.push({ property: source, rule: `may name at most ${LIMITS.errorEmails} addresses` });
  return { errorEmails: unique, errorsEmail: joinAddresses(unique) };
}

/** ErrorAssociates: MDOListItems (or plain ids) naming associates; whether they exist is the service's check. */
function readErrorAssociates(raw: Record<string, unknown>, errors: FieldError[]): number[] {
  const v = pick(raw, 'ErrorAssociates');
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  const ids: number[] = [];
  for (const item of items) {
    const idRaw = isPlainObject(item) ? pick(item, 'Id') : item;
    const id = typeof idRaw === 'string' && /^\d{1,10}$/.test(idRaw) ? Number(idRaw) : idRaw;
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
      errors.push({ property: 'ErrorAssociates', rule: 'must be list items whose Id names an associate' });
      return [];
    }
    if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length > LIMITS.errorAssociates)
    errors.push({ property: 'ErrorAssociates', rule: `may name at most ${LIMITS.errorAssociates} associates` });
  return ids;
}

/** What an update is checked against: ErrorEmails (see readErrorEmails) and the stored delivery controls. */
export type StoredControls = Pick<WebhookInput, 'errorEmails' | 'maxPerSecond' | 'ordering' | 'filter'> &
  Partial<Pick<WebhookInput, 'receiverAuth' | 'sendTraceContext'>>;

export { pick };

/**
 * Validates a whole carrier; throws a 400 HookdError listing every broken rule. `current` is the stored
 * webhook on an update (it settles ErrorsEmail against ErrorEmails).
 */
export function validateWebhookInput(raw: unknown, rules: InputRules, current?: StoredControls): WebhookInput {
  if (!isPlainObject(raw)) throw invalidFields([{ property: 'body', rule: 'must be a Webhook object' }]);
  const errors: FieldError[] = [];

  const typeRaw = pick(raw, 'Type');
  let type = 'webhook';
  if (typeRaw !== undefined && typeRaw !== null && typeRaw !== '') {
    if (typeof typeRaw !== 'string') errors.push({ property: 'Type', rule: 'must be a string' });
    else if (!rules.plugins.includes(typeRaw.toLowerCase())) {
      errors.push({
        property: 'Type',
        rule: `'${typeRaw}' is not a webhook plugin; use ${rules.plugins.map((p) => `'${p}'`).join(' or ')}`,
      });
    } else type = typeRaw.toLowerCase();
  }

  const stateRaw = pick(raw, 'State');
  let state: WebhookState = 'Active';
  if (stateRaw !== undefined && stateRaw !== null && stateRaw !== '') {
    const parsed = parseState(stateRaw);
    if (parsed) state = parsed;
    else errors.push({ property: 'State', rule: 'must be Active (1), Stopped (2) or TooManyErrors (3)' });
  }

  const name = text(raw, 'Name', LIMITS.name, errors, true);
  const events = readEvents(raw, errors);
  const targetUrl = text(raw, 'TargetUrl', LIMITS.targetUrl, errors, true);
  if (targetUrl !== null && type === 'webhook') {
    const problem = targetUrlProblem(targetUrl, rules.allowPrivateTargets, rules.allowedNetworks);
    if (problem) errors.push({ property: 'TargetUrl', rule: problem });
  }
  const secret = text(raw, 'Secret', LIMITS.secret, errors, false);
  const { errorEmails, errorsEmail } = readErrorEmails(raw, current, errors);
  const errorAssociateIds = readErrorAssociates(raw, errors);
  const description = text(raw, 'Description', LIMITS.description, errors, false) ?? '';
  const notifyVia = readFlags(raw, 'NotifyVia', errors);
  const notifyWhen = readFlags(raw, 'NotifyWhen', errors);
  const headers = readHeaders(raw, errors);
  if (headers && type !== 'webhook' && Object.keys(headers).length > 0) {
    errors.push({ property: 'Headers', rule: `are sent with HTTP webhooks only, not with type '${type}'` });
  }
  const properties = readProperties(raw, errors);
  // The controls are hookd's extensions: a carrier without them (a NetServer client's PUT) keeps the stored ones.
  const absent = (name: string) => current !== undefined && pick(raw, name) === undefined;
  const maxPerSecond = absent('MaxPerSecond') ? (current?.maxPerSecond ?? null) : readMaxPerSecond(raw, errors);
  const ordering = absent('Ordering') ? (current?.ordering ?? 'None') : readOrdering(raw, errors);
  const filter = absent('Filter') ? (current?.filter ?? null) : readFilter(raw, errors);
  const sendTraceContext = absent('SendTraceContext') ? (current?.sendTraceContext ?? false) : readSendTraceContext(raw, errors);
  const receiverAuth = readReceiverAuth(raw, current?.receiverAuth ?? null, rules, type, errors);
  if (
    receiverAuth &&
    (receiverAuth.oauth2 || receiverAuth.basic) &&
    headers &&
    Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')
  )
    errors.push({ property: 'Headers', rule: 'may not set Authorization when ReceiverAuth sets it (OAuth2 or Basic)' });

  if (errors.length > 0) {
    // NetServer refuses a TargetUrl that does not start with https: as an ArgumentException with its own text
    // (decisions.md "errors NetServer documents"); Errors still lists every rule broken.
    const insecure =
      type === 'webhook' && targetUrl !== null && !/^https:/i.test(targetUrl) && !(rules.allowPrivateTargets && /^http:/i.test(targetUrl));
    if (insecure) throw new HookdError('target_not_secure', { url: targetUrl }, errors);
    throw invalidFields(errors);
  }
  return {
    name: name as string,
    events,
    targetUrl: targetUrl as string,
    secret,
    state,
    type,
    headers,
    properties,
    errorsEmail,
    errorEmails,
    errorAssociateIds,
    description,
    notifyVia,
    notifyWhen,
    maxPerSecond,
    ordering,
    filter,
    receiverAuth,
    sendTraceContext,
  };
}
