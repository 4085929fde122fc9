/**
 * TableRight and FieldProperties, which every NetServer carrier has: what the caller may do with the record
 * and with each of its properties, and each property's .NET type and length. Masks are written as NetServer
 * writes flag enums (`Select, Update, Insert, Delete`; `Read`; `Update`).
 */
import { LIMITS } from './webhook.js';

/** What the caller may do with one record: write it (update, delete) or only read it, and why not. */
export interface Rights {
  write: boolean;
  reason: string;
}

export const FULL_RIGHTS: Rights = { write: true, reason: '' };

type Field = readonly [name: string, type: string, length: number, settable: boolean];

const WEBHOOK_FIELDS: readonly Field[] = [
  ['WebhookId', 'System.Int32', 4, false],
  ['Name', 'System.String', LIMITS.name, true],
  ['Events', 'System.String[]', LIMITS.events, true],
  ['TargetUrl', 'System.String', LIMITS.targetUrl, true],
  ['Secret', 'System.String', LIMITS.secret, true],
  ['State', 'SuperOffice.Data.WebhookState', 2, true],
  ['Type', 'System.String', LIMITS.type, true],
  ['Headers', 'System.Collections.Generic.Dictionary`2[System.String,System.String]', 0, true],
  ['Properties', 'System.Collections.Generic.Dictionary`2[System.String,System.Object]', 0, true],
  ['Registered', 'System.DateTime', 8, false],
  ['RegisteredAssociate', 'SuperOffice.CRM.Services.Associate', 0, false],
  ['Updated', 'System.DateTime', 8, false],
  ['UpdatedAssociate', 'SuperOffice.CRM.Services.Associate', 0, false],
  ['ErrorsEmail', 'System.String', LIMITS.errorsEmail, true],
  ['ErrorEmails', 'System.String[]', 0, true],
  ['ErrorAssociates', 'SuperOffice.CRM.Services.MDOListItem[]', 0, true],
  ['Description', 'System.String', LIMITS.description, true],
  ['NotifyVia', 'SuperOffice.Data.WebhookNotifyVia', 4, true],
  ['NotifyWhen', 'SuperOffice.Data.WebhookNotifyWhen', 4, true],
  ['TotalCalls', 'System.Int32', 4, false],
  ['TotalErrors', 'System.Int32', 4, false],
  ['ConsecutiveErrors', 'System.Int32', 4, false],
  ['LastError', 'System.String', LIMITS.lastError, false],
];

const ASSOCIATE_FIELDS: readonly Field[] = [
  ['AssociateId', 'System.Int32', 4, false],
  ['Name', 'System.String', 20, false],
  ['PersonId', 'System.Int32', 4, false],
  ['Rank', 'System.Int16', 2, false],
  ['Tooltip', 'System.String', 0, false],
  ['Type', 'SuperOffice.Data.UserType', 2, false],
  ['GroupIdx', 'System.Int32', 4, false],
  ['FullName', 'System.String', 0, false],
  ['FormalName', 'System.String', 0, false],
  ['Deleted', 'System.Boolean', 1, false],
  ['EjUserId', 'System.Int32', 4, false],
  ['UserName', 'System.String', 0, false],
  ['ExtraFields', 'System.Collections.Generic.Dictionary`2[System.String,System.String]', 0, false],
  ['CustomFields', 'System.Collections.Generic.Dictionary`2[System.String,System.String]', 0, false],
];

const RESULT_FIELDS: readonly Field[] = [
  ['Success', 'System.Boolean', 1, false],
  ['Message', 'System.String', 0, false],
];

const FIELDS = { Webhook: WEBHOOK_FIELDS, Associate: ASSOCIATE_FIELDS, WebhookResult: RESULT_FIELDS } as const;

/** Built once per kind and rights: carriers share them (they are only read, to be written out). */
const cache = new Map<string, { TableRight: unknown; FieldProperties: unknown }>();

/** The TableRight and FieldProperties of a carrier of `kind` for a caller with `rights`. */
export function carrierRights(kind: keyof typeof FIELDS, rights: Rights): { TableRight: unknown; FieldProperties: unknown } {
  const key = `${kind}\u0000${rights.write}\u0000${rights.reason}`;
  let built = cache.get(key);
  if (!built) {
    built = buildRights(kind, rights);
    cache.set(key, built);
  }
  return built;
}

function buildRights(kind: keyof typeof FIELDS, rights: Rights): { TableRight: unknown; FieldProperties: unknown } {
  const fieldProperties: Record<string, unknown> = {};
  for (const [name, type, length, settable] of FIELDS[kind]) {
    const update = rights.write && settable;
    fieldProperties[name] = {
      FieldRight: { Mask: update ? 'Update' : 'Read', Reason: settable && !rights.write ? rights.reason : '' },
      FieldType: type,
      FieldLength: length,
    };
  }
  return {
    TableRight: { Mask: rights.write ? 'Select, Update, Insert, Delete' : 'Select', Reason: rights.reason },
    FieldProperties: fieldProperties,
  };
}
