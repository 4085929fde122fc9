/**
 * The event catalogue of superoffice-webhooks.md §6 — the one list of the events NetServer sends for each entity —
 * with a sample of each entity for people testing receivers (`hookd trigger`): the changed-field names and
 * FieldValues, and the id Values of deletes. The dashboard's event picker offers exactly these names; names
 * outside it (lists, extra tables, webhook{id}.*, custom events) are typed.
 */

export interface EventSample {
  /** The verbs NetServer sends for the entity (`contact.softdeleted`, `sale.sold`, …), in the spec's order. */
  events: string[];
  changes: string[];
  fieldValues: Record<string, unknown>;
  /** Id values sent with `.deleted` events. */
  deletedValues: string[];
}

const id = (table: string) => `${table}_id`;

export const EVENT_CATALOGUE: Record<string, EventSample> = {
  activity: {
    events: ['created', 'changed', 'deleted'],
    changes: ['appointment_id', 'associate_id', 'contact_id', 'do_by', 'endDate', 'person_id', 'status', 'task_idx', 'type', 'updated'],
    fieldValues: {
      activeDate: '2026-11-23T09:00:00',
      associate_id: 5,
      contact_id: 18,
      person_id: 42,
      project_id: 0,
      sale_id: 0,
      status: 1,
      task_idx: 3,
      type: 1,
    },
    deletedValues: ['appointment_id', 'contact_id', 'person_id', 'project_id', 'sale_id'],
  },
  associate: {
    events: ['created', 'changed', 'deleted'],
    changes: ['associate_id', 'name', 'person_id', 'type', 'updated'],
    fieldValues: { deleted: 0, group_idx: 1, person_id: 42, type: 1, waiting_for_approval: 0 },
    deletedValues: ['associate_id', 'person_id'],
  },
  chatsession: {
    events: ['created', 'changed', 'message'],
    changes: ['status', 'userId'],
    fieldValues: { alertLevel: 0, consented: 1, contactId: 18, customerAlias: 'Visitor', rating: 0, status: 2, topicId: 1, userId: 5 },
    deletedValues: [],
  },
  contact: {
    events: ['created', 'changed', 'softdeleted', 'deleted'],
    changes: ['contact_id', 'updated_associate_id', 'soundEx', 'updated', 'name'],
    fieldValues: {
      activeInterests: 0,
      associate_id: 5,
      business_idx: 2,
      category_idx: 3,
      country_id: 578,
      deleted: 0,
      registered: '2026-11-23T09:00:00',
    },
    deletedValues: ['associate_id', 'contact_id'],
  },
  document: {
    events: ['created', 'changed', 'deleted', 'edited'],
    changes: ['document_id', 'header', 'updated'],
    fieldValues: { application_id: 0, appointment_id: 7, document_id: 9, registered_associate_id: 5, updated_associate_id: 5 },
    deletedValues: ['document_id', 'appointment_id'],
  },
  person: {
    events: ['created', 'changed', 'softdeleted', 'deleted', 'consented', 'unconsented'],
    changes: ['person_id', 'firstname', 'lastname', 'updated'],
    fieldValues: { associate_id: 5, business_idx: 2, contact_id: 18, country_id: 578, person_id: 42, position_idx: 1, retired: 0 },
    deletedValues: ['associate_id', 'contact_id', 'person_id'],
  },
  project: {
    events: ['created', 'changed', 'deleted'],
    changes: ['project_id', 'name', 'status_idx', 'updated'],
    fieldValues: { activeLinks: 0, associate_id: 5, done: 0, status_idx: 1, type_idx: 2 },
    deletedValues: ['associate_id', 'project_id'],
  },
  projectmember: {
    events: ['created', 'changed', 'deleted'],
    changes: ['projectmember_id', 'mtype_idx', 'updated'],
    fieldValues: { contact_id: 18, mtype_idx: 1, person_id: 42, project_id: 3, projectmember_id: 11 },
    deletedValues: ['associate_id', 'project_id'],
  },
  quote: { events: ['approved', 'rejected', 'sent', 'ordered'], changes: [], fieldValues: {}, deletedValues: [] },
  relation: {
    events: ['created', 'changed', 'deleted'],
    changes: ['relation_id', 'reldef_id', 'updated'],
    fieldValues: {
      associate_id: 5,
      destination_record: 42,
      destination_table: 'person',
      reldef_id: 2,
      source_record: 18,
      source_table: 'contact',
    },
    deletedValues: ['associate_id', 'relation_id'],
  },
  sale: {
    events: ['created', 'changed', 'deleted', 'sold', 'lost', 'completed'],
    changes: ['sale_id', 'amount', 'probability_idx', 'saledate', 'status', 'updated'],
    fieldValues: { associate_id: 5, contact_id: 18, currency_id: 1, done: 0, person_id: 42, probability_idx: 4, project_id: 0, status: 1 },
    deletedValues: ['associate_id', 'contact_id', 'person_id', 'project_id'],
  },
  salestakeholder: {
    events: ['created', 'changed', 'deleted'],
    changes: ['salestakeholder_id', 'stakeholderrole_id', 'updated'],
    fieldValues: { contact_id: 18, person_id: 42, sale_id: 8, stakeholderrole_id: 1 },
    deletedValues: ['sale_id'],
  },
  ticket: {
    events: ['created', 'changed'],
    changes: ['title', 'status', 'priority', 'last_changed'],
    fieldValues: { category: 1, contact_id: 18, cust_id: 42, has_attachment: 0, owned_by: 5, priority: 2, status: 1, ticket_status: 1 },
    deletedValues: [],
  },
};

/** Every event name of the catalogue (`activity.created` … `ticket.changed`), entity by entity. */
export const CATALOGUE_EVENTS: readonly string[] = Object.entries(EVENT_CATALOGUE).flatMap(([entity, sample]) =>
  sample.events.map((verb) => `${entity}.${verb}`),
);

/** Whether NetServer sends this event for an entity of the catalogue. */
export function inCatalogue(eventName: string): boolean {
  return CATALOGUE_EVENTS.includes(eventName);
}

/** Verbs without field values (superoffice-webhooks.md §6: sale.sold and sale.lost "have no field values"). */
const NO_FIELD_VALUES = new Set(['sale.sold', 'sale.lost']);

/** A realistic SignalEvent body for `eventName` (entity.verb), or null for an event not in the catalogue. */
export function sampleData(eventName: string, primaryKey: number): Record<string, unknown> | null {
  const dot = eventName.lastIndexOf('.');
  const entity = eventName.slice(0, dot);
  const verb = eventName.slice(dot + 1);
  const sample = EVENT_CATALOGUE[entity];
  if (!sample || !sample.events.includes(verb)) return null;
  if (NO_FIELD_VALUES.has(eventName)) return { Changes: [], FieldValues: {} };
  if (verb === 'deleted' || verb === 'softdeleted') {
    const values: Record<string, number> = {};
    for (const k of sample.deletedValues) values[k] = k === id(entity) ? primaryKey : 1;
    return { Changes: [], Values: values };
  }
  return { Changes: sample.changes, FieldValues: sample.fieldValues };
}
