/**
 * The worker's leases on a shared store (PostgreSQL): how long one lasts, when it is renewed, and whether an
 * attempt started now would end while the last renewal still holds. On an unshared store nothing is leased.
 */
import type { Logger } from 'pino';

/** Leases are renewed at least this often: with the 10 s a lease outlives the longest attempt, four renewals may fail before sending stops. */
const RENEW_EVERY_MS = 2_500;

export class Leases {
  /** A lease outlives the longest attempt plus time to record it; after a crash it is what delays redelivery. */
  readonly leaseMs: number;
  private readonly renewEveryMs: number;
  private lastRenewAt = Number.NEGATIVE_INFINITY;
  /** False while the leases could expire before an attempt started now would end: the store stopped answering. */
  private holdsNow = true;

  constructor(
    private readonly shared: boolean,
    private readonly attemptTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.leaseMs = attemptTimeoutMs + 10_000;
    this.renewEveryMs = Math.min(this.leaseMs / 4, RENEW_EVERY_MS);
  }

  /** Whether new attempts may start (always, on an unshared store). */
  get hold(): boolean {
    return this.holdsNow;
  }

  /** A renewal is due: the next exchange renews. */
  due(now: number): boolean {
    return this.shared && now - this.lastRenewAt >= this.renewEveryMs;
  }

  renewed(now: number): void {
    this.lastRenewAt = now;
  }

  /**
   * On a shared store another process takes an owned webhook once its lease expires: an attempt may start
   * only if it ends (at the latest, after the attempt timeout) while the last renewed lease still holds.
   */
  check(now: number, owning: boolean): void {
    if (!this.shared) return;
    const holds = now + this.attemptTimeoutMs <= this.lastRenewAt + this.leaseMs;
    if (holds !== this.holdsNow && owning) {
      if (holds) this.logger.info('leases renewed again: sending resumes');
      else this.logger.warn('leases could not be renewed: no new attempts until the store answers again');
    }
    this.holdsNow = holds;
  }
}
