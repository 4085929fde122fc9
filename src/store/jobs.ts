/** The recover jobs' port (JobService): count and queue a recover, then run it in leased batches. */
import type { Job, RecoverScope } from '../domain/job.js';

export interface RecoverJobs {
  /** How many deliveries a recover of `scope` asked for at `now` would copy (domain/recover.ts: no copies, delivered by now). */
  countRecoverable(scope: RecoverScope, now: number): Promise<number>;
  /**
   * Counts and queues a recover job over what is delivered now, in one transaction (its Total is what it will
   * copy); 'limit' when the tenant already has `maxOpen` jobs queued or running.
   */
  createRecoverJob(scope: RecoverScope, now: number, maxOpen: number): Promise<Job | 'limit'>;
  getJob(tenantId: number, id: number): Promise<Job | null>;
  /**
   * The next turn for `owner`, or null: among the open jobs it may take (nobody holds them, it does, or the
   * lease ran out) that are one of their tenant's `runningPerTenant` oldest, the tenant's served least recently.
   */
  claimJob(owner: string, now: number, leaseMs: number, runningPerTenant: number): Promise<Job | null>;
  /**
   * Copies the job's next `limit` deliveries (new deliveries, new EventIds) and records its progress, in one
   * transaction; renews the lease. Null when `owner` no longer holds the job.
   */
  recoverBatch(
    jobId: number,
    owner: string,
    limit: number,
    now: number,
    leaseMs: number,
    newGuid: () => string,
  ): Promise<{ copied: number; finished: boolean } | null>;
}
