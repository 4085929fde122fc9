/** What a receiver gets: the NetServer WebhookPayload and the event catalogue's entities. */
import type { EVENT_CATALOGUE } from '../domain/event-catalogue.js';

export interface WebhookPayload {
  EventId: string;
  /** UTC, 7 fractional digits: `2018-04-05T08:28:01.5730000Z`. */
  Timestamp: string;
  /** Database names of the changed fields. */
  Changes: string[];
  /** `contact.created`; state events say `webhook.started`, `webhook.stopped` or `webhook.errors`. */
  Event: string;
  PrimaryKey: number;
  /** Absent on state events. */
  Entity?: string;
  ContextIdentifier: string;
  ChangedByAssociateId: number;
  WebhookName: string;
  /** Id values of a deleted row. */
  Values?: Record<string, unknown>;
  FieldValues?: Record<string, unknown>;
  /** The webhook's Properties, as extra top-level keys. */
  [property: string]: unknown;
}

/** Entities of the documented catalogue (`hookd trigger` has a sample of each). */
export type CatalogueEntity = keyof typeof EVENT_CATALOGUE;

/** The headers hookd sends with every delivery (names as Node lower-cases them). */
export interface WebhookHeaders {
  'x-superoffice-event': string;
  'x-superoffice-eventid': string;
  'x-superoffice-retry': string;
  'x-superoffice-signature'?: string;
  'x-hook-test'?: 'true';
}
