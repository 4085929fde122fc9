/**
 * SignalEvent's body into an event (decisions.md "SignalEvent data"): Changes, FieldValues, Values,
 * ChangedByAssociateId and ContextIdentifier set those payload fields; any other key goes into FieldValues.
 */
import { type FieldError, invalidFields } from './errors.js';
import { entityOf, eventNameProblem } from './event-names.js';
import type { EventRecord } from './payload.js';
import { utcTimestamp } from './timestamp.js';

export interface SignalInput {
  eventName: unknown;
  primaryKey: unknown;
  data: unknown;
}

export interface SignalContext {
  associateId: number;
  contextIdentifier: string;
  now: number;
}

const INT32_MAX = 2147483647;
/** The Data keys that set payload fields (any case); the others go into FieldValues. */
const MAPPED = ['changes', 'fieldvalues', 'values', 'changedbyassociateid', 'contextidentifier'] as const;
const ITEM_KEYS = ['eventname', 'primarykey', 'data'] as const;

/**
 * The values of `names` (lower case) among `obj`'s own keys matched in any case, the first key of each name winning,
 * and the keys that are none of them. One pass over the keys: ingestion reads every event this way (issue 22).
 */
export function fieldsByName(obj: Record<string, unknown>, names: readonly string[], others?: Record<string, unknown>): Array<unknown> {
  const values: unknown[] = new Array<unknown>(names.length).fill(undefined);
  const seen: boolean[] = new Array<boolean>(names.length).fill(false);
  for (const key of Object.keys(obj)) {
    const i = names.indexOf(key.toLowerCase());
    if (i < 0) {
      if (others) others[key] = obj[key];
    } else if (!seen[i]) {
      seen[i] = true;
      values[i] = obj[key];
    }
  }
  return values;
}

/** A SignalEvent item's EventName, PrimaryKey and Data, in any case. */
export function signalInput(item: unknown): SignalInput {
  const it = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const [eventName, primaryKey, data] = fieldsByName(it, ITEM_KEYS);
  return { eventName, primaryKey, data };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseInt32(value: unknown): number | null {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  // `+ 0`: -0 is 0, as the stores keep it (an event sent from memory and one read back must not differ).
  return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) <= INT32_MAX ? n + 0 : null;
}

/** Builds the event, or throws a 400 naming every problem. `where` prefixes property names in batches. */
export function eventFromSignal(input: SignalInput, ctx: SignalContext, where = ''): EventRecord {
  const errors: FieldError[] = [];
  const name = typeof input.eventName === 'string' ? input.eventName : '';
  const nameProblem = typeof input.eventName === 'string' ? eventNameProblem(name) : 'is required and must be a string';
  if (nameProblem) errors.push({ property: `${where}EventName`, rule: nameProblem });
  const primaryKey = input.primaryKey === undefined || input.primaryKey === null ? 0 : parseInt32(input.primaryKey);
  if (primaryKey === null) errors.push({ property: `${where}PrimaryKey`, rule: 'must be a whole number (0 when not used)' });

  const data = input.data ?? {};
  if (!isObject(data)) errors.push({ property: `${where}Data`, rule: 'must be an object' });
  const d = isObject(data) ? data : {};
  // Any other key goes into FieldValues: gathered in the same pass.
  const extra: Record<string, unknown> = {};
  const [changesRaw, fieldValues, values, changedByRaw, contextRaw] = fieldsByName(d, MAPPED, extra);

  const changes = changesRaw ?? [];
  if (!Array.isArray(changes) || changes.some((c) => typeof c !== 'string')) {
    errors.push({ property: `${where}Data.Changes`, rule: 'must be an array of field names' });
  }
  if (fieldValues !== undefined && fieldValues !== null && !isObject(fieldValues)) {
    errors.push({ property: `${where}Data.FieldValues`, rule: 'must be an object' });
  }
  if (values !== undefined && values !== null && !isObject(values))
    errors.push({ property: `${where}Data.Values`, rule: 'must be an object' });
  const changedBy = changedByRaw === undefined ? ctx.associateId : parseInt32(changedByRaw);
  if (changedBy === null) errors.push({ property: `${where}Data.ChangedByAssociateId`, rule: 'must be a whole number' });
  if (contextRaw !== undefined && typeof contextRaw !== 'string') {
    errors.push({ property: `${where}Data.ContextIdentifier`, rule: 'must be a string' });
  }
  if (errors.length > 0) throw invalidFields(errors);

  const mergedFieldValues =
    Object.keys(extra).length > 0
      ? { ...((fieldValues as Record<string, unknown> | null | undefined) ?? {}), ...extra }
      : ((fieldValues ?? null) as Record<string, unknown> | null);

  return {
    name,
    bodyEvent: name,
    entity: entityOf(name),
    primaryKey: primaryKey as number,
    timestamp: utcTimestamp(ctx.now),
    changes: changes as string[],
    changedByAssociateId: changedBy as number,
    contextIdentifier: typeof contextRaw === 'string' ? contextRaw : ctx.contextIdentifier,
    values: (values ?? null) as Record<string, unknown> | null,
    fieldValues: mergedFieldValues,
  };
}

/** The `test` event sent by TestWebhook and the save-time ping (superoffice-webhooks.md §6.1). */
export function testEvent(contextIdentifier: string, associateId: number, now: number): EventRecord {
  return {
    name: 'test',
    bodyEvent: 'test',
    entity: 'test',
    primaryKey: 0,
    timestamp: utcTimestamp(now),
    changes: [],
    changedByAssociateId: associateId,
    contextIdentifier,
    values: null,
    fieldValues: null,
  };
}
