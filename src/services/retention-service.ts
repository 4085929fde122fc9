/** Keeps the delivery log as long as HOOKD_RETENTION_DAYS says: prunes finished deliveries once an hour. */
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';

/** Hourly: the log grows by at most an hour past its limit, and a prune is a small, short job. */
const PRUNE_EVERY_MS = 3_600_000;

export class RetentionService {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: { store: Store; clock: Clock; logger: Logger; retentionDays: number }) {}

  start(): void {
    if (this.deps.retentionDays <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.pruneNow(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Prunes what is older than the retention period now; a failure is logged and tried again next hour. */
  async pruneNow(): Promise<void> {
    if (this.deps.retentionDays <= 0) return;
    try {
      await this.deps.store.prune(this.deps.clock.now() - this.deps.retentionDays * 86_400_000);
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'pruning the delivery log failed');
    }
  }
}
