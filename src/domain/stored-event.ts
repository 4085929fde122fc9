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

export class StoredEvent implements EventRecord {
  /** The three JSON columns as values, parsed the first time one is asked for (the payload never asks). */
  private parsed: Parsed | undefined;
  /** eventBytes, counted once: an owner asks when it is offered, takes and lets go of a delivery. */
  private size = 0;

  constructor(
    readonly name: string,
    readonly bodyEvent: string,
    readonly entity: string | null,
    readonly primaryKey: number,
    readonly timestamp: string,
    readonly changedByAssociateId: number,
    readonly contextIdentifier: string,
    readonly traceParent: string | null,
    /** The JSON text of the three JSON columns, exactly as stored: JSON.stringify's output, so it splices as it is. */
    readonly changesJson: string,
    readonly valuesJson: string | null,
    readonly fieldValuesJson: string | null,
  ) {}

  /**
   * The stored form of an event just signalled, as either store gives it back: only the text is kept (a delivery
   * held for a retry would otherwise carry both forms; the backlog benchmark's peak memory rose by ~20 MB when it
   * did), and a lone surrogate in its text is U+FFFD, as UTF-8 stores it (JSON text escapes one and keeps it).
   */
  static of(e: EventRecord): StoredEvent {
    if (e instanceof StoredEvent) return e;
    return new StoredEvent(
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
    if (this.size === 0) this.size = storedBytes(this);
    return this.size;
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

  /**
   * The payload for a webhook without Properties, byte for byte what JSON.stringify(payloadObject(...)) writes:
   * the same field order, each value serialised by JSON.stringify alone (nested values serialise the same way inside
   * an object as on their own).
   */
  body(eventId: string, webhookName: string): string {
    // Not kept between calls: an event held for a retry would carry both of its forms (~0.5 KB) the whole time.
    const head =
      `,"Timestamp":${JSON.stringify(this.timestamp)},"Changes":${this.changesJson},"Event":${JSON.stringify(this.bodyEvent)}` +
      `,"PrimaryKey":${JSON.stringify(this.primaryKey)}${this.entity == null ? '' : `,"Entity":${JSON.stringify(this.entity)}`}` +
      `,"ContextIdentifier":${JSON.stringify(this.contextIdentifier)},"ChangedByAssociateId":${JSON.stringify(this.changedByAssociateId)}`;
    const tail =
      (this.valuesJson === null ? '' : `,"Values":${this.valuesJson}`) +
      (this.fieldValuesJson === null ? '' : `,"FieldValues":${this.fieldValuesJson}`);
    return `{"EventId":${JSON.stringify(eventId)}${head},"WebhookName":${JSON.stringify(webhookName)}${tail}}`;
  }
}

/**
 * About how much memory an event held in a window takes: the length of its text (UTF-16 code units, so an ASCII
 * character counts one, as in a one-byte string) plus a fixed part for the object. What an owner's byte bound counts
 * (owners.ts); an event that is not a stored one (unit tests) counts as its JSON.
 */
export function eventBytes(e: EventRecord): number {
  return e instanceof StoredEvent ? e.bytes : (JSON.stringify(e) ?? '').length + EVENT_OVERHEAD_BYTES;
}

/** The bytes of a stored event's text and objects (eventBytes). */
function storedBytes(e: StoredEvent): number {
  return (
    EVENT_OVERHEAD_BYTES +
    e.name.length +
    e.bodyEvent.length +
    (e.entity?.length ?? 0) +
    e.timestamp.length +
    e.contextIdentifier.length +
    (e.traceParent?.length ?? 0) +
    e.changesJson.length +
    (e.valuesJson?.length ?? 0) +
    (e.fieldValuesJson?.length ?? 0)
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
