/**
 * Keeps the delivery log and event payloads as long as the settings say — the server's
 * (HOOKD_DELIVERY_RETENTION_DAYS, HOOKD_EVENT_RETENTION_DAYS) or a tenant's own — and no longer. Prunes once an
 * hour in small batches (each its own short transaction), logging its progress; undelivered events are never
 * pruned.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { HookdError, invalidFields } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import type { AuditLog } from '../store/audit-log.js';
import type { Retention } from '../store/retention.js';
import type { Caller } from './caller.js';

/** Hourly: the log grows by at most an hour past its limit. */
const PRUNE_EVERY_MS = 3_600_000;
/** Rows one prune transaction deletes at most: short enough that signals and deliveries never wait long. */
export const PRUNE_BATCH = 1000;
const DAY_MS = 86_400_000;

export interface RetentionDays {
  /** Days finished deliveries and their attempts are kept (0: forever). */
  deliveries: number;
  /** Days event payloads are kept once no delivery needs them (0: forever). */
  events: number;
}

export class RetentionService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      /** The ports this service uses: retention days and pruning, and the audit log's pruning. */
      retention: Retention;
      audit: AuditLog;
      clock: Clock;
      logger: Logger;
      defaults: RetentionDays;
      /** Idempotency keys older than this are forgotten. */
      idempotencyMs?: number;
      /** Told what each batch pruned (metrics). */
      onPruned?: (pruned: { deliveries: number; events: number }) => void;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pruneNow(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Prunes every tenant now (one run at a time); a failure is logged and tried again next hour. */
  pruneNow(): Promise<void> {
    this.running ??= this.pruneAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A tenant's retention: its own days where set, the server's otherwise. */
  async settings(caller: Caller): Promise<{ own: { deliveries: number | null; events: number | null }; effective: RetentionDays }> {
    const row = (await this.deps.retention.listTenantRetention()).find((t) => t.tenantId === caller.tenant.id);
    const own = { deliveries: row?.deliveryDays ?? null, events: row?.eventDays ?? null };
    return {
      own,
      effective: { deliveries: own.deliveries ?? this.deps.defaults.deliveries, events: own.events ?? this.deps.defaults.events },
    };
  }

  /** Sets a tenant's own days (null: back to the server's); administrator only. */
  async set(caller: Caller, body: Record<string, unknown>) {
    if (!caller.associate.isAdmin) throw new HookdError('forbidden', { action: 'change retention (only the administrator may)' });
    const read = (name: string): number | null => {
      const v = body[name];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 36_500) {
        throw invalidFields([{ property: name, rule: 'must be a whole number of days from 0 (keep forever) to 36500, or null' }]);
      }
      return v;
    };
    await this.deps.retention.setTenantRetention(caller.tenant.id, {
      deliveries: read('DeliveryRetentionDays'),
      events: read('EventRetentionDays'),
    });
    return this.settings(caller);
  }

  private async pruneAll(): Promise<void> {
    const now = this.deps.clock.now();
    try {
      if (this.deps.idempotencyMs) await this.deps.retention.pruneIdempotencyKeys(now - this.deps.idempotencyMs);
      for (const t of await this.deps.retention.listTenantRetention()) {
        const deliveryDays = t.deliveryDays ?? this.deps.defaults.deliveries;
        const eventDays = t.eventDays ?? this.deps.defaults.events;
        const cut = {
          deliveriesBefore: deliveryDays > 0 ? now - deliveryDays * DAY_MS : null,
          eventsBefore: eventDays > 0 ? now - eventDays * DAY_MS : null,
        };
        // The audit log is kept as long as the delivery log.
        if (cut.deliveriesBefore !== null) {
          while ((await this.deps.audit.prune(t.tenantId, cut.deliveriesBefore, PRUNE_BATCH)) === PRUNE_BATCH) await yieldToEventLoop();
        }
        if (cut.deliveriesBefore === null && cut.eventsBefore === null) continue;
        const total = { deliveries: 0, events: 0, batches: 0 };
        for (;;) {
          const pruned = await this.deps.retention.prune(t.tenantId, cut, PRUNE_BATCH);
          total.deliveries += pruned.deliveries;
          total.events += pruned.events;
          total.batches++;
          this.deps.onPruned?.(pruned);
          if (pruned.deliveries < PRUNE_BATCH && pruned.events < PRUNE_BATCH) break;
          if (total.batches % 100 === 0) this.deps.logger.info({ tenant: t.identifier, ...total }, 'pruning the delivery log');
          await yieldToEventLoop(); // between batches, signals and deliveries go first
        }
        if (total.deliveries + total.events > 0)
          this.deps.logger.info({ tenant: t.identifier, ...total, deliveryDays, eventDays }, 'pruned the delivery log');
      }
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'pruning the delivery log failed');
    }
  }
}
