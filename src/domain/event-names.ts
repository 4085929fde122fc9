/**
 * Event names (decisions.md "event names"). NetServer's catalogue (`entity.verb`, lowercase: `contact.created`,
 * `list.110.created`, `webhook12.errors`) is what the dashboard and `hookd trigger` offer, but any other name is
 * accepted where NetServer accepts one: the 12.1 admin UI lets an administrator type a custom name and the REST
 * reference's SignalEvent sample signals `Goyette, Kautzer and Kuhn`. Names are matched exactly (case and all).
 * Subscriptions may also be `entity.*` or `*` (a hookd extension); `*` appears nowhere else.
 */

/** decisions.md: 1–255 characters (NetServer's event column is 4000 for the whole comma-separated list). */
export const MAX_EVENT_NAME_LENGTH = 255;
/**
 * Printable ASCII only: the name travels in the X-SuperOffice-Event header, and an HTTP header cannot carry a
 * control character (a line break would split it) or anything past Latin-1 (undici refuses to send it, so every
 * attempt would fail; .NET's HttpClient, NetServer's sender, refuses non-ASCII header values too).
 */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const ENTITY_WILDCARD_SUFFIX = '.*';

/** Why a name cannot be signalled, or null when it can. */
export function eventNameProblem(name: string): string | null {
  if (name.length === 0) return 'an event name may not be empty';
  if (name.length > MAX_EVENT_NAME_LENGTH) return `event names are at most ${MAX_EVENT_NAME_LENGTH} characters (it has ${name.length})`;
  if (NOT_PRINTABLE_ASCII.test(name)) {
    return 'an event name may use only printable ASCII characters, no control characters (it is sent in the X-SuperOffice-Event header)';
  }
  // A header's value loses its outer spaces on the way, so the header and the body's Event would differ.
  if (name.trim() !== name) return `'${name}' begins or ends with a space`;
  if (name.includes('*')) return `'${name}' contains '*', which is a wildcard: only a webhook's Events may use it`;
  return null;
}

/**
 * Why a name cannot be subscribed to, or null when it can. Besides the signal rules: no comma (a webhook's
 * events are stored comma-separated, as in NetServer's `events` column, so a name with one could not be read
 * back; signalled with one, it reaches `*` subscriptions), and `*` only as `*` or a final `.*`.
 */
export function subscriptionProblem(name: string): string | null {
  if (name === '*') return null;
  const base = name.endsWith(ENTITY_WILDCARD_SUFFIX) ? name.slice(0, -ENTITY_WILDCARD_SUFFIX.length) : name;
  const problem = base === '' ? "'.*' needs an entity before it, such as 'contact.*'" : eventNameProblem(base);
  if (problem) return `${problem} (a subscription is an event name such as 'contact.created', or a wildcard: 'contact.*', '*')`;
  if (name.includes(',')) return `'${name}' contains a comma, which separates the events of a webhook`;
  return null;
}

/** The entity an event is about: the name before its last dot (`list.category.created` → `list.category`). */
export function entityOf(eventName: string): string {
  // A batch's events mostly share a name: the last answer is kept, not cut again (issue 22).
  if (eventName === lastName) return lastEntity;
  const dot = eventName.lastIndexOf('.');
  lastEntity = dot < 0 ? eventName : eventName.slice(0, dot);
  lastName = eventName;
  return lastEntity;
}

let lastName = '';
let lastEntity = '';

/**
 * The subscriptions that receive an event: itself, its entity wildcard and `*`. A name without a dot has no
 * entity wildcard (`invoice.*` does not receive `invoice`); it is listed twice instead, because the stores'
 * prepared statements take exactly three names.
 */
export function subscriptionsFor(eventName: string): string[] {
  return [eventName, eventName.includes('.') ? `${entityOf(eventName)}.*` : eventName, '*'];
}

/** Whether a webhook subscribed to `events` receives `eventName`. */
export function subscribes(events: readonly string[], eventName: string): boolean {
  return subscriptionsFor(eventName).some((s) => events.includes(s));
}

/** State-change events: `webhook{id}.started|stopped|errors` (superoffice-webhooks.md §6). */
export type StateEventVerb = 'started' | 'stopped' | 'errors';

export function stateEventName(webhookId: number, verb: StateEventVerb): string {
  return `webhook${webhookId}.${verb}`;
}
