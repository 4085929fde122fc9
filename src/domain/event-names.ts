/**
 * Event names are `entity.verb`, lowercase (superoffice-webhooks.md §6): `contact.created`,
 * `list.110.created`, `webhook12.errors`. Subscriptions may also be `entity.*` or `*` (a hookd extension).
 */

const EXACT = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;
const ENTITY_WILDCARD = /^[a-z0-9_]+(\.[a-z0-9_]+)*\.\*$/;
/** Long enough for `list.{name}.softdeleted` and extra-table names; far below the 4000 of the column. */
export const MAX_EVENT_NAME_LENGTH = 200;

/** Why a name cannot be signalled, or null when it can. */
export function eventNameProblem(name: string): string | null {
  if (name.length === 0) return 'an event name may not be empty';
  if (name.length > MAX_EVENT_NAME_LENGTH) return `event names are at most ${MAX_EVENT_NAME_LENGTH} characters`;
  if (!EXACT.test(name)) {
    return `'${name}' is not an event name of the form entity.action in lowercase, such as 'contact.created'`;
  }
  return null;
}

/** Why a name cannot be subscribed to, or null when it can. */
export function subscriptionProblem(name: string): string | null {
  if (name === '*' || ENTITY_WILDCARD.test(name)) return null;
  const problem = eventNameProblem(name);
  return problem === null ? null : `${problem} (or a wildcard: 'contact.*' for every contact event, '*' for all)`;
}

/** The entity an event is about: the name before its last dot (`list.category.created` → `list.category`). */
export function entityOf(eventName: string): string {
  const dot = eventName.lastIndexOf('.');
  return dot < 0 ? eventName : eventName.slice(0, dot);
}

/** The subscriptions that receive an event: itself, its entity wildcard and `*`. */
export function subscriptionsFor(eventName: string): string[] {
  return [eventName, `${entityOf(eventName)}.*`, '*'];
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
