/** The retention port (RetentionService): each tenant's retention days, and pruning what they let go, in small batches. */

export interface PruneCut {
  deliveriesBefore: number | null;
  eventsBefore: number | null;
}

export interface TenantRetention {
  tenantId: number;
  identifier: string;
  deliveryDays: number | null;
  eventDays: number | null;
}

export interface Retention {
  /** Every tenant with its retention overrides (days; null: the server's setting). */
  listTenantRetention(): Promise<TenantRetention[]>;
  setTenantRetention(tenantId: number, days: { deliveries: number | null; events: number | null }): Promise<void>;
  /**
   * One batch of pruning for a tenant: at most `limit` finished deliveries (with their attempts) finished before
   * `cut.deliveriesBefore`, and at most `limit` events created before `cut.eventsBefore` that no delivery needs
   * (null: that kind is kept). Small batches keep every transaction short.
   */
  prune(tenantId: number, cut: PruneCut, limit: number): Promise<{ deliveries: number; events: number }>;
  /** Forgets idempotency keys sent before `before`; returns how many. */
  pruneIdempotencyKeys(before: number): Promise<number>;
}
