/**
 * The delivery scheduler: claims due deliveries from the store under leases, runs each attempt through
 * its plugin with a global and a per-webhook limit on requests in flight, and records results in
 * batches. It sleeps only when there is nothing to do, and is woken when events arrive.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { RetryPolicy } from '../domain/retry-policy.js';
import type { Clock } from '../lib/clock.js';
import type { AttemptResult, ClaimedDelivery, Store } from '../store/store.js';
import type { PluginRegistry } from './plugins.js';

export interface WorkerOptions {
  maxInFlight: number;
  maxInFlightPerWebhook: number;
  attemptTimeoutMs: number;
  pollIntervalMs: number;
  policy: RetryPolicy;
}

export interface WorkerDeps {
  store: Store;
  plugins: PluginRegistry;
  clock: Clock;
  logger: Logger;
  options: WorkerOptions;
}

/** Claims at most this many deliveries per store round-trip (stack-notes.md: batches of 50+ are 7x faster). */
const CLAIM_BATCH = 256;
const CLAIM_MIN_ROOM = 64;
// How long a nextDueAt answer is trusted (new work wakes the loop; failures clear it).
const DUE_RECHECK_MS = 100;

export class DeliveryWorker {
  readonly owner = `worker-${randomUUID()}`;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private made = 0;
  private pending: AttemptResult[] = [];
  /** The last answer of nextDueAt and when it was asked: the query visits every webhook, too dear to ask after each attempt. */
  private due: { askedAt: number; next: number | null } = { askedAt: Number.NEGATIVE_INFINITY, next: null };
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private readonly abort = new AbortController();

  constructor(private readonly deps: WorkerDeps) {
    // Every attempt in flight listens for shutdown on this one signal: hundreds at once are expected.
    setMaxListeners(0, this.abort.signal);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Tells the worker there may be new work (an event was stored, a webhook came back). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming; in-flight attempts get `timeoutMs` to finish, then are aborted and handed back. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(10);
    if (this.inFlight > 0) {
      this.abort.abort();
      while (this.inFlight > 0) await sleep(10);
    }
    await this.flush();
    await this.deps.store.releaseLeases(this.owner);
  }

  get activeAttempts(): number {
    return this.inFlight;
  }

  /** Attempts this worker has made since it started. */
  get attemptsMade(): number {
    return this.made;
  }

  /**
   * One pass: record every finished attempt (one transaction), then claim up to the free room (one
   * transaction). Under load results pile up while a pass runs, so both batches grow by themselves.
   */
  private async loop(): Promise<void> {
    const { store, clock, options, logger } = this.deps;
    // A lease outlives the longest attempt plus time to record it; after a crash it is what delays redelivery.
    const leaseMs = options.attemptTimeoutMs + 10_000;
    while (this.running) {
      this.woken = false;
      await this.flush();
      let claimed: ClaimedDelivery[] = [];
      const room = options.maxInFlight - this.inFlight;
      try {
        // Near the process limit, wait until a batch of slots is free: a claim costs about the same for 1
        // row as for 64, and claiming after every single finished attempt starved the loop (fan-out to
        // 1,000 webhooks ran at 200 deliveries/s). A quarter of the limit, at most 64 slots.
        if (room >= Math.max(1, Math.min(CLAIM_MIN_ROOM, Math.floor(options.maxInFlight / 4))) || this.inFlight === 0) {
          claimed = await store.claimDue({
            now: clock.now(),
            limit: Math.min(room, CLAIM_BATCH),
            perWebhookLimit: options.maxInFlightPerWebhook,
            leaseMs,
            owner: this.owner,
          });
        }
      } catch (e) {
        logger.error({ err: e }, 'claiming deliveries failed; retrying after the poll interval');
        await this.idle(options.pollIntervalMs);
        continue;
      }
      for (const job of claimed) this.run(job);
      if (claimed.length > 0 || this.pending.length > 0) {
        // Let answers that are already on the wire arrive, so the next pass records them together.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await this.idle(await this.waitTime());
    }
  }

  /** How long to sleep when nothing could be claimed. */
  private async waitTime(): Promise<number> {
    const { store, clock, options } = this.deps;
    const now = clock.now();
    if (now - this.due.askedAt >= DUE_RECHECK_MS) this.due = { askedAt: now, next: await store.nextDueAt(now).catch(() => null) };
    const next = this.due.next;
    if (next === null || next <= now) return options.pollIntervalMs; // nothing due, or due but at its limit: a finish wakes us
    return Math.min(next - now, options.pollIntervalMs);
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private run(job: ClaimedDelivery): void {
    this.inFlight++;
    this.attempt(job)
      .then((result) => {
        this.made++;
        this.pending.push(result);
      })
      .catch((e) =>
        this.deps.logger.error({ err: e, deliveryId: job.deliveryId }, 'attempt crashed; its lease will expire and it will be retried'),
      )
      .finally(() => {
        this.inFlight--;
        this.wake();
      });
  }

  private async attempt(job: ClaimedDelivery): Promise<AttemptResult> {
    const { plugins, clock } = this.deps;
    const startedAt = clock.now();
    const t0 = performance.now();
    const plugin = plugins.get(job.webhook.type);
    const outcome = plugin
      ? await plugin.deliver({ event: job.event, eventGuid: job.eventGuid, retry: job.attempts, webhook: job.webhook }, this.abort.signal)
      : { kind: 'failure' as const, status: null, error: `[prepare] No plugin handles webhooks of type '${job.webhook.type}'` };
    return {
      deliveryId: job.deliveryId,
      webhookId: job.webhook.id,
      eventGuid: job.eventGuid,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      outcome,
    };
  }

  /** Records every pending result in one transaction. */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // A failure schedules a retry that the cached next-due time does not know of yet.
    if (batch.some((r) => r.outcome.kind !== 'success')) this.due.askedAt = Number.NEGATIVE_INFINITY;
    try {
      await this.deps.store.recordAttempts(batch, { now: this.deps.clock.now(), policy: this.deps.options.policy, newGuid: randomUUID });
    } catch (e) {
      // The leases keep these deliveries from being claimed again until they expire; then they are retried.
      this.deps.logger.error({ err: e, count: batch.length }, 'recording attempts failed; the deliveries will be retried');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
