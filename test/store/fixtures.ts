/** What the store contract suites share: how to open a store, and factories for webhooks and events. */
import { it } from 'node:test';
import type { EventRecord } from '../../src/domain/payload.js';
import type { AttemptOutcome } from '../../src/domain/retry-policy.js';
import type { Tenant, WebhookInput } from '../../src/domain/webhook.js';
import type { Store } from '../../src/store/store.js';

export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

export const STAMP = { associateId: 1, now: 1_000 };
export const FAIL: AttemptOutcome = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' };

/** `fresh(title, body)`: a case on a fresh, migrated store with one tenant ('Default') and its admin. */
export function freshCase(open: OpenStore) {
  return (title: string, body: (store: Store, tenant: Tenant) => Promise<void>) =>
    it(title, async () => {
      const { store, cleanup } = await open();
      try {
        await store.migrate();
        const tenant = await store.accounts.ensureTenant('Default', 1);
        await store.accounts.createAssociate(tenant.id, { name: 'Admin', userName: 'admin', passwordHash: 'h', isAdmin: true }, 1);
        await body(store, tenant);
      } finally {
        await store.close();
        await cleanup();
      }
    });
}

export const input = (over: Partial<WebhookInput> = {}): WebhookInput => ({
  name: 'hook',
  events: ['contact.created'],
  targetUrl: 'https://example.com/hook',
  secret: null,
  state: 'Active',
  type: 'webhook',
  headers: null,
  properties: null,
  errorsEmail: null,
  errorEmails: over.errorsEmail ? [over.errorsEmail] : [],
  errorAssociateIds: [],
  description: '',
  notifyVia: 1,
  notifyWhen: 2,
  maxPerSecond: null,
  ordering: 'None',
  filter: null,
  receiverAuth: null,
  sendTraceContext: false,
  ...over,
});

export const event = (name: string, primaryKey = 1): EventRecord => ({
  name,
  bodyEvent: name,
  entity: name.split('.')[0] as string,
  primaryKey,
  timestamp: '2026-01-01T00:00:00.0000000Z',
  changes: ['name'],
  changedByAssociateId: 1,
  contextIdentifier: 'Default',
  values: null,
  fieldValues: { b: 1, a: 2 },
});
