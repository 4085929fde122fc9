/**
 * Recover jobs: send a stretch of the delivery log again after a receiver's outage (domain/recover.ts says
 * which deliveries). A job runs in the background in small batches, each one short transaction, yielding to
 * deliveries between them; on PostgreSQL any process may run it, under a lease, and one that dies leaves it
 * to another.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { HookdError } from '../domain/errors.js';
import { readRecoverRequest } from '../domain/recover.js';
import type { Clock } from '../lib/clock.js';
import type { Job, RecoverScope, Store } from '../store/store.js';
import type { Caller } from './caller.js';
import type { WebhookService } from './webhook-service.js';

/** Deliveries one batch copies: a few milliseconds of one transaction. */
export const RECOVER_BATCH = 500;
/** A job whose runner stops renewing is taken over after this long. */
const JOB_LEASE_MS = 30_000;
/** How much longer than a batch took the job rests before the next one. */
const REST_FACTOR = 19;
/** How often a process looks for a job to run. */
const POLL_MS = 1000;

export class JobService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      logger: Logger;
      webhooks: WebhookService;
      /** Copies were queued: the worker should look. */
      onWork: () => void;
      /** This process, as a job's holder. */
      owner: string;
      batchSize?: number;
      /** Pause between batches at least; by default the job rests 19 times as long as a batch took. */
      pauseMs?: number;
    },
  ) {}

  /**
   * A recover of one webhook (or, with null, every webhook of the caller's tenant that the caller may see):
   * with `dryRun` only the count; otherwise a queued job.
   */
  async recover(caller: Caller, webhookId: number | null, body: unknown, dryRun: boolean): Promise<{ count: number; job: Job | null }> {
    const criteria = readRecoverRequest(body, this.deps.clock.now());
    // A portal token may recover one webhook's failed deliveries, never everything (issue 20, finding 3).
    if (caller.portal && (webhookId === null || criteria.status !== 'Failed')) {
      throw new HookdError('forbidden', { action: "recover more than one webhook's failed deliveries with a portal token" });
    }
    let webhookIds: number[] | null = null;
    if (webhookId !== null) webhookIds = [(await this.deps.webhooks.get(caller, webhookId)).id];
    else if (caller.appToken) webhookIds = (await this.deps.webhooks.list(caller, {})).map((w) => w.id);
    const scope: RecoverScope = { ...criteria, tenantId: caller.tenant.id, webhookIds };
    const count = await this.deps.store.countRecoverable(scope);
    if (dryRun) return { count, job: null };
    const job = await this.deps.store.createRecoverJob(scope, count, this.deps.clock.now());
    this.deps.logger.info({ job: job.id, tenant: caller.tenant.identifier, total: count, webhookIds }, 'recover job queued');
    this.kick();
    return { count, job };
  }

  /** A job of the caller's tenant; an application (SO-AppToken) sees only jobs over webhooks it sees. */
  async get(caller: Caller, id: number): Promise<Job> {
    const job = await this.deps.store.getJob(caller.tenant.id, id);
    if (job && caller.appToken !== null) {
      const visible = new Set((await this.deps.webhooks.list(caller, {})).map((w) => w.id));
      if (job.scope.webhookIds === null || job.scope.webhookIds.some((w) => !visible.has(w))) {
        throw new HookdError('not_found', { entity: 'Job', id });
      }
    }
    if (!job) throw new HookdError('not_found', { entity: 'Job', id });
    return job;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs every open job to its end (one runner at a time in this process); returns how many it finished. */
  runPending(): Promise<number> {
    this.running ??= this.runAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private kick(): void {
    if (this.timer) void this.runPending();
  }

  private async runAll(): Promise<number> {
    let finished = 0;
    try {
      for (;;) {
        if (this.stopped) return finished;
        const job = await this.deps.store.claimJob(this.deps.owner, this.deps.clock.now(), JOB_LEASE_MS);
        if (!job) return finished;
        if (await this.run(job)) finished++;
      }
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'running a recover job failed; it is tried again');
      return finished;
    }
  }

  /** Copies batch after batch until the job is done, the lease is lost, or hookd stops. */
  private async run(job: Job): Promise<boolean> {
    const { store, clock, owner } = this.deps;
    const batch = this.deps.batchSize ?? RECOVER_BATCH;
    let copied = 0;
    for (;;) {
      if (this.stopped) return false;
      const t0 = performance.now();
      const result = await store.recoverBatch(job.id, owner, batch, clock.now(), JOB_LEASE_MS, randomUUID);
      const took = performance.now() - t0;
      if (result === null) return false; // another process holds it now
      copied += result.copied;
      if (result.copied > 0) this.deps.onWork();
      if (result.finished) {
        this.deps.logger.info({ job: job.id, copied }, 'recover job done');
        return true;
      }
      // A twentieth of the time at most: the store (SQLite's one writer) stays free for deliveries the rest of it.
      await sleep(Math.max(this.deps.pauseMs ?? 1, REST_FACTOR * took));
    }
  }
}
