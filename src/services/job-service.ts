/**
 * Recover jobs: send a stretch of the delivery log again after a receiver's outage (domain/recover.ts says
 * which deliveries). A job runs in the background in small batches, each one short transaction, yielding to
 * deliveries between them; on PostgreSQL any process may run it, under a lease, and one that dies leaves it
 * to another.
 *
 * Fair turns: the runner takes one batch per turn, and each turn goes to the tenant served least recently
 * (RecoverJobs.claimJob), among each tenant's `runningPerTenant` oldest open jobs. So tenants take turns batch by
 * batch — one tenant's forty jobs no longer run to their end, first in first out, before another's one — and
 * a tenant's own jobs run one after another (by default), its queue bounded by `queuedPerTenant` (429 beyond).
 * Turns rather than one concurrent runner per tenant: a process keeps one batch at a time, so SQLite's one
 * writer stays as free for deliveries as before, however many tenants recover at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { HookdError } from '../domain/errors.js';
import { maxOpenRecoverJobs, readRecoverRequest, type RecoverLimits } from '../domain/recover.js';
import type { Clock } from '../lib/clock.js';
import type { Job, RecoverScope } from '../domain/job.js';
import type { RecoverJobs } from '../store/jobs.js';
import type { Caller } from './caller.js';
import type { WebhookService } from './webhook-service.js';
import { newGuid } from '../lib/guid.js';

/** Deliveries one batch copies: a few milliseconds of one transaction. */
export const RECOVER_BATCH = 500;
/** A job whose runner stops renewing is taken over after this long. */
const JOB_LEASE_MS = 30_000;
/** How much longer than a batch took the job rests before the next one. */
const REST_FACTOR = 19;
/** How often a process looks for a job to run. */
const POLL_MS = 1000;
/** HOOKD_RECOVER_RUNNING_PER_TENANT and HOOKD_RECOVER_QUEUED_PER_TENANT's defaults (config/settings.ts says why). */
export const DEFAULT_RECOVER_LIMITS: RecoverLimits = { runningPerTenant: 1, queuedPerTenant: 4 };

export class JobService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: {
      /** The recover jobs' port: the only part of the store this service uses. */
      jobs: RecoverJobs;
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
      /** Open jobs per tenant; DEFAULT_RECOVER_LIMITS when not given. */
      limits?: RecoverLimits;
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
    const now = this.deps.clock.now();
    if (dryRun) return { count: await this.deps.jobs.countRecoverable(scope, now), job: null };
    const maxOpen = maxOpenRecoverJobs(this.limits);
    const job = await this.deps.jobs.createRecoverJob(scope, now, maxOpen);
    if (job === 'limit') throw new HookdError('recover_jobs_limit', { open: maxOpen });
    this.deps.logger.info({ job: job.id, tenant: caller.tenant.identifier, total: job.total, webhookIds }, 'recover job queued');
    this.kick();
    return { count: job.total, job };
  }

  /** A job of the caller's tenant; an application (SO-AppToken) sees only jobs over webhooks it sees. */
  async get(caller: Caller, id: number): Promise<Job> {
    const job = await this.deps.jobs.getJob(caller.tenant.id, id);
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

  private get limits(): RecoverLimits {
    return this.deps.limits ?? DEFAULT_RECOVER_LIMITS;
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

  /** Turn after turn (one batch each, the tenant served least recently first) until no job is left to take. */
  private async runAll(): Promise<number> {
    const { jobs, clock, owner } = this.deps;
    const batch = this.deps.batchSize ?? RECOVER_BATCH;
    let finished = 0;
    try {
      for (;;) {
        if (this.stopped) return finished;
        const job = await jobs.claimJob(owner, clock.now(), JOB_LEASE_MS, this.limits.runningPerTenant);
        if (!job) return finished;
        const t0 = performance.now();
        const result = await jobs.recoverBatch(job.id, owner, batch, clock.now(), JOB_LEASE_MS, newGuid);
        const took = performance.now() - t0;
        if (result === null) continue; // another process took it meanwhile
        if (result.copied > 0) this.deps.onWork();
        if (result.finished) {
          finished++;
          this.deps.logger.info({ job: job.id, copied: job.done + result.copied }, 'recover job done');
        }
        // A twentieth of the time at most: the store (SQLite's one writer) stays free for deliveries the rest of it.
        await sleep(Math.max(this.deps.pauseMs ?? 1, REST_FACTOR * took));
      }
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'running a recover job failed; it is tried again');
      return finished;
    }
  }
}
