/**
 * The audit log's service (issue 25): records each change the API makes with who made it (a user, an application
 * acting through SO-AppToken, or a portal token), from which address, and what changed; reads a tenant's log.
 * An application reads only its own records, as it sees only its own webhooks.
 */
import { appTokenHash } from '../domain/app-access.js';
import type { ActorKind, AuditFilter, AuditRecord } from '../domain/audit.js';
import { HookdError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import type { AuditLog } from '../store/audit-log.js';
import type { Caller } from './caller.js';

/** An application is named in the log by the first 12 hex digits of its token's SHA-256: enough to tell them apart. */
const APP_ID_DIGITS = 12;
/** A page of the log holds at most this many records. */
export const AUDIT_PAGE_MAX = 500;

export class AuditService {
  constructor(private readonly deps: { audit: AuditLog; clock: Clock }) {}

  /** Writes one change down; `changes` comes from domain/audit.ts's auditChanges (never a secret). */
  async record(caller: Caller, address: string, action: string, webhookId: number | null, changes: Record<string, unknown>): Promise<void> {
    const actorKind: ActorKind = caller.portal ? 'portal' : caller.appToken ? 'application' : 'user';
    await this.deps.audit.append({
      tenantId: caller.tenant.id,
      at: this.deps.clock.now(),
      actorKind,
      actorId: caller.associate.id,
      actorName: caller.associate.userName,
      application: caller.appToken ? appTokenHash(caller.appToken).slice(0, APP_ID_DIGITS) : null,
      address,
      action,
      webhookId,
      changes,
    });
  }

  /** The caller's tenant's records (an application's: its own), newest first. */
  async list(caller: Caller, filter: AuditFilter): Promise<{ total: number; items: AuditRecord[] }> {
    if (caller.portal) throw new HookdError('forbidden', { action: 'read the audit log with a portal token' });
    if (filter.top < 1 || filter.top > AUDIT_PAGE_MAX) filter = { ...filter, top: Math.min(Math.max(filter.top, 1), AUDIT_PAGE_MAX) };
    if (caller.appToken) filter = { ...filter, application: appTokenHash(caller.appToken).slice(0, APP_ID_DIGITS) };
    return this.deps.audit.list(caller.tenant.id, filter);
  }
}
