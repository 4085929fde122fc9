/**
 * An event as the store holds it: its JSON columns (Changes, Values, FieldValues) kept as the text written at signal,
 * parsed only when something asks for them. A delivery's body is then a few string joins around that text, not an
 * object built and stringified per attempt (issue 22: parsing the columns and stringifying the object cost ~2.5 µs a
 * delivery of a 46 µs profile).
 */
import type { EventRecord } from './payload.js';

interface Parsed {
  changes: string[];
  values: Record<string, unknown> | null;
  fieldValues: Record<string, unknown> | null;
}

/** The columns of a stored event besides its name, Timestamp and traceparent (which every attempt reads). */
interface Columns {
  bodyEvent: string;
  entity: string | null;
  primaryKey: number;
  changedByAssociateId: number;
  contextIdentifier: string;
  changesJson: string;
  valuesJson: string | null;
  fieldValuesJson: string | null;
}

/**
 * The payload's JSON text on either side of `"WebhookName"`, as SQLite's refill writes it: `head` from `,"Timestamp":`
 * to `"ChangedByAssociateId":…`, `tail` the Values and FieldValues that are not null.
 */
export interface PayloadText {
  head: string;
  tail: string;
}

export class StoredEvent implements EventRecord {
  /** The three JSON columns as values, parsed the first time one is asked for (the payload never asks). */
  private parsed: Parsed | undefined;
  /** eventBytes, counted once: an owner asks when it is offered, takes and lets go of a delivery. */
  private size = 0;

  private constructor(
    readonly name: string,
    readonly timestamp: string,
    readonly traceParent: string | null,
    /** The other columns; for an event read back as payload text, taken from that text the first time one is asked for. */
    private cols: Columns | null,
    /** The payload's text around WebhookName as SQLite's refill wrote it, until a column is asked for. */
    private text: PayloadText | null,
  ) {}

  /** An event from its columns (the JSON ones as their text, exactly as stored: JSON.stringify's output). */
  static fromColumns(
    name: string,
    bodyEvent: string,
    entity: string | null,
    primaryKey: number,
    timestamp: string,
    changedByAssociateId: number,
    contextIdentifier: string,
    traceParent: string | null,
    changesJson: string,
    valuesJson: string | null,
    fieldValuesJson: string | null,
  ): StoredEvent {
    const cols = { bodyEvent, entity, primaryKey, changedByAssociateId, contextIdentifier, changesJson, valuesJson, fieldValuesJson };
    return new StoredEvent(name, timestamp, traceParent, cols, null);
  }

  /**
   * An event read back with its payload text already written (SQLite's refill: one column built by the query costs
   * ~0.7 µs a row less than eight, and the body is then two joins): the columns come from that text only if asked for.
   */
  static fromText(name: string, timestamp: string, traceParent: string | null, text: PayloadText): StoredEvent {
    return new StoredEvent(name, timestamp, traceParent, null, text);
  }

  /**
   * The stored form of an event just signalled, as either store gives it back: only the text is kept (a delivery
   * held for a retry would otherwise carry both forms; the backlog benchmark's peak memory rose by ~20 MB when it
   * did), and a lone surrogate in its text is U+FFFD, as UTF-8 stores it (JSON text escapes one and keeps it).
   */
  static of(e: EventRecord): StoredEvent {
    if (e instanceof StoredEvent) return e;
    return StoredEvent.fromColumns(
      wellFormed(e.name),
      wellFormed(e.bodyEvent),
      wellFormed(e.entity),
      e.primaryKey,
      wellFormed(e.timestamp),
      e.changedByAssociateId,
      wellFormed(e.contextIdentifier),
      wellFormed(e.traceParent ?? null),
      JSON.stringify(e.changes),
      jsonOrNull(e.values),
      jsonOrNull(e.fieldValues),
    );
  }

  /** About how much memory it takes (eventBytes). */
  get bytes(): number {
    if (this.size === 0)
      this.size =
        EVENT_OVERHEAD_BYTES + this.name.length + this.timestamp.length + (this.traceParent?.length ?? 0) + textBytes(this.cols, this.text);
    return this.size;
  }

  get bodyEvent(): string {
    return this.columns().bodyEvent;
  }

  get entity(): string | null {
    return this.columns().entity;
  }

  get primaryKey(): number {
    return this.columns().primaryKey;
  }

  get changedByAssociateId(): number {
    return this.columns().changedByAssociateId;
  }

  get contextIdentifier(): string {
    return this.columns().contextIdentifier;
  }

  get changesJson(): string {
    return this.columns().changesJson;
  }

  get valuesJson(): string | null {
    return this.columns().valuesJson;
  }

  get fieldValuesJson(): string | null {
    return this.columns().fieldValuesJson;
  }

  get changes(): string[] {
    return this.parse().changes;
  }

  get values(): Record<string, unknown> | null {
    return this.parse().values;
  }

  get fieldValues(): Record<string, unknown> | null {
    return this.parse().fieldValues;
  }

  private parse(): Parsed {
    this.parsed ??= {
      changes: JSON.parse(this.changesJson) as string[],
      values: parseOrNull(this.valuesJson),
      fieldValues: parseOrNull(this.fieldValuesJson),
    };
    return this.parsed;
  }

  private columns(): Columns {
    if (this.cols) return this.cols;
    // Rare (Properties, crmscript handlers, traces): the payload text parsed once gives the columns, and the event keeps
    // those alone, as a signalled one does (their JSON.stringify text writes the same bytes): a held event that kept the
    // text, the columns and the values took ~4× what its owner counts (a helper's review, with tracing on).
    const text = this.text as PayloadText;
    const o = JSON.parse(`{"_":0${text.head}${text.tail}}`) as Record<string, unknown>;
    this.cols = {
      bodyEvent: o.Event as string,
      entity: (o.Entity as string | undefined) ?? null,
      primaryKey: o.PrimaryKey as number,
      changedByAssociateId: o.ChangedByAssociateId as number,
      contextIdentifier: o.ContextIdentifier as string,
      changesJson: JSON.stringify(o.Changes),
      valuesJson: jsonOrNull(o.Values),
      fieldValuesJson: jsonOrNull(o.FieldValues),
    };
    this.text = null;
    return this.cols;
  }

  /**
   * The payload for a webhook without Properties, byte for byte what JSON.stringify(payloadObject(...)) writes:
   * the same field order, each value serialised by JSON.stringify alone (nested values serialise the same way inside
   * an object as on their own).
   */
  body(eventId: string, webhookName: string): string {
    // Not kept between calls: an event held for a retry would carry both of its forms (~0.5 KB) the whole time.
    const head = this.text ? this.text.head : headText(this.timestamp, this.cols as Columns);
    const tail = this.text ? this.text.tail : tailText(this.cols as Columns);
    return `{"EventId":${JSON.stringify(eventId)}${head},"WebhookName":${JSON.stringify(webhookName)}${tail}}`;
  }
}

/** The payload's text before WebhookName, from an event's columns (what SQLite's refill query writes: store/sqlite/queue.ts). */
function headText(timestamp: string, c: Columns): string {
  return (
    `,"Timestamp":${JSON.stringify(timestamp)},"Changes":${c.changesJson},"Event":${JSON.stringify(c.bodyEvent)}` +
    `,"PrimaryKey":${JSON.stringify(c.primaryKey)}${c.entity == null ? '' : `,"Entity":${JSON.stringify(c.entity)}`}` +
    `,"ContextIdentifier":${JSON.stringify(c.contextIdentifier)},"ChangedByAssociateId":${JSON.stringify(c.changedByAssociateId)}`
  );
}

/** The payload's text after WebhookName: the Values and FieldValues that are not null. */
function tailText(c: Columns): string {
  return (
    (c.valuesJson === null ? '' : `,"Values":${c.valuesJson}`) + (c.fieldValuesJson === null ? '' : `,"FieldValues":${c.fieldValuesJson}`)
  );
}

/**
 * About how much memory an event held in a window takes: the length of its text (UTF-16 code units, so an ASCII
 * character counts one, as in a one-byte string) plus a fixed part for the object. What an owner's byte bound counts
 * (owners.ts); an event that is not a stored one (unit tests) counts as its JSON.
 */
export function eventBytes(e: EventRecord): number {
  return e instanceof StoredEvent ? e.bytes : (JSON.stringify(e) ?? '').length + EVENT_OVERHEAD_BYTES;
}

/** The length of a stored event's text besides its name, Timestamp and traceparent, in whichever form it holds it. */
function textBytes(c: Columns | null, text: PayloadText | null): number {
  if (c === null) return (text as PayloadText).head.length + (text as PayloadText).tail.length;
  return (
    c.bodyEvent.length +
    (c.entity?.length ?? 0) +
    c.contextIdentifier.length +
    c.changesJson.length +
    (c.valuesJson?.length ?? 0) +
    (c.fieldValuesJson?.length ?? 0)
  );
}

/** The objects and string headers around the text: a held item with a small event is ~0.7 KB in all (owners.ts). */
const EVENT_OVERHEAD_BYTES = 300;

/** Text with each lone surrogate replaced by U+FFFD (String.prototype.toWellFormed: Node 20 has it, ES2023's types not). */
function wellFormed<T extends string | null>(text: T): T {
  return (text === null ? text : (text as unknown as { toWellFormed(): string }).toWellFormed()) as T;
}

/** JSON text of a value, or null for null and undefined (a column that holds nothing). */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function parseOrNull(text: string | null): Record<string, unknown> | null {
  return text === null ? null : (JSON.parse(text) as Record<string, unknown>);
}
