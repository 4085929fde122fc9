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
/** Each of a few names' index (lower case), by key as written: ingestion looks up the same keys 5,000 times a request. */
export class NameIndex {
  private readonly byKey = new Map<string, number>();
  private readonly longest: number;

  constructor(readonly names: readonly string[]) {
    this.longest = Math.max(...names.map((n) => n.length));
  }

  of(key: string): number {
    // Longer than every name, it is none of them; and it is not kept (a key may be as long as the body).
    if (key.length > this.longest) return -1;
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.names.indexOf(key.toLowerCase());
      // Bounded: a body with thousands of distinct keys has them looked up each time, not kept.
      if (this.byKey.size < 256) this.byKey.set(key, i);
    }
    return i;
  }
}

/** The Data keys that set payload fields (any case); the others go into FieldValues. */
const MAPPED = new NameIndex(['changes', 'fieldvalues', 'values', 'changedbyassociateid', 'contextidentifier']);
const ITEM_KEYS = new NameIndex(['eventname', 'primarykey', 'data']);

/**
 * The values of `names` among `obj`'s own keys matched in any case, the first key of each name winning, then how many
 * keys are none of them. One pass over the keys, and no object a key: ingestion reads every event this way (issue 22).
 */
export function fieldsByName(obj: Record<string, unknown>, names: NameIndex): Array<unknown> {
  const n = names.names.length;
  const values: unknown[] = new Array<unknown>(n + 1).fill(undefined);
  let seen = 0;
  let others = 0;
  const keys = Object.keys(obj);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    const i = names.of(key);
    if (i < 0) others++;
    else if ((seen & (1 << i)) === 0) {
      seen |= 1 << i;
      values[i] = obj[key];
    }
  }
  values[n] = others;
  return values;
}

/** The keys of `obj` that are none of `names`, with their values: Data's extra fields, rare, so a second pass. */
export function otherFields(obj: Record<string, unknown>, names: NameIndex): Record<string, unknown> {
  const others: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) if (names.of(key) < 0) others[key] = obj[key];
  return others;
}

/** A SignalEvent item's EventName, PrimaryKey and Data, in any case. */
export function signalInput(item: unknown): SignalInput {
  const it = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const v = fieldsByName(it, ITEM_KEYS);
  return { eventName: v[0], primaryKey: v[1], data: v[2] };
}

/** FieldValues with Data's other keys added; as they are when there are none to add (a key the spread skips, `__proto__`). */
function withOthers(
  fieldValues: Record<string, unknown> | null | undefined,
  others: Record<string, unknown>,
): Record<string, unknown> | null {
  return Object.keys(others).length > 0 ? { ...(fieldValues ?? {}), ...others } : (fieldValues ?? null);
}

function allStrings(list: unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') return false;
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseInt32(value: unknown): number | null {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  // `+ 0`: -0 is 0, as the stores keep it (an event sent from memory and one read back must not differ).
  return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) <= INT32_MAX ? n + 0 : null;
}

/**
 * Builds the event, or throws a 400 naming every problem. `item`, a batch's index, prefixes the property names
 * (`[3].EventName`): written only for an error, as ingestion reads 5,000 events a request (issue 22).
 */
export function eventFromSignal(input: SignalInput, ctx: SignalContext, item?: number): EventRecord {
  const errors: FieldError[] = [];
  const name = typeof input.eventName === 'string' ? input.eventName : '';
  const nameProblem = typeof input.eventName === 'string' ? eventNameProblem(name) : 'is required and must be a string';
  if (nameProblem) errors.push({ property: `EventName`, rule: nameProblem });
  const primaryKey = input.primaryKey === undefined || input.primaryKey === null ? 0 : parseInt32(input.primaryKey);
  if (primaryKey === null) errors.push({ property: `PrimaryKey`, rule: 'must be a whole number (0 when not used)' });

  const data = input.data ?? {};
  if (!isObject(data)) errors.push({ property: `Data`, rule: 'must be an object' });
  const d = isObject(data) ? data : {};
  const v = fieldsByName(d, MAPPED);
  const changesRaw = v[0];
  const fieldValues = v[1];
  const values = v[2];
  const changedByRaw = v[3];
  const contextRaw = v[4];
  const changes = changesRaw ?? [];
  if (!Array.isArray(changes) || !allStrings(changes)) {
    errors.push({ property: `Data.Changes`, rule: 'must be an array of field names' });
  }
  if (fieldValues !== undefined && fieldValues !== null && !isObject(fieldValues)) {
    errors.push({ property: `Data.FieldValues`, rule: 'must be an object' });
  }
  if (values !== undefined && values !== null && !isObject(values)) errors.push({ property: `Data.Values`, rule: 'must be an object' });
  const changedBy = changedByRaw === undefined ? ctx.associateId : parseInt32(changedByRaw);
  if (changedBy === null) errors.push({ property: `Data.ChangedByAssociateId`, rule: 'must be a whole number' });
  if (contextRaw !== undefined && typeof contextRaw !== 'string') {
    errors.push({ property: `Data.ContextIdentifier`, rule: 'must be a string' });
  }
  if (errors.length > 0) {
    if (item !== undefined) for (const e of errors) e.property = `[${item}].${e.property}`;
    throw invalidFields(errors);
  }

  // Any other key goes into FieldValues.
  const mergedFieldValues =
    (v[5] as number) > 0
      ? withOthers(fieldValues as Record<string, unknown> | null | undefined, otherFields(d, MAPPED))
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
