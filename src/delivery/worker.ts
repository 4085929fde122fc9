/**
 * The delivery scheduler. It owns webhooks (all of them on SQLite; a fair share under leases on
 * PostgreSQL), keeps a window of each one's queued deliveries in memory, runs attempts through their
 * plugins within a global and a per-webhook limit, settles each outcome with the pure policy, and meets
 * the store once per pass (`DeliveryQueue.exchange`): results in, next work out. Results that finish
 * while an exchange runs are group-committed by the next one.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { AttemptOutcome, RetryPolicy } from '../domain/retry-policy.js';
import { counterDelta, type Tally } from '../domain/settlement.js';
import { type ThrottleRule, throttleRule } from '../domain/throttle.js';
import type { Clock } from '../lib/clock.js';
import type { DeliveryObserver } from '../metrics/metrics.js';
import type { DeliveryQueue, ExchangeRequest, ExchangeResult, QueuedItem, SettledAttempt } from '../store/delivery-queue.js';
import { OwnedWebhook } from './owned-webhook.js';
import type { PluginRegistry } from './plugins.js';

export interface WorkerOptions {
  maxInFlight: number;
  maxInFlightPerWebhook: number;
  attemptTimeoutMs: number;
  pollIntervalMs: number;
  policy: RetryPolicy;
  /**
   * How long a webhook may be throttled (Retry-After) without a success before its throttled answers count as
   * failures (HOOKD_RETRY_AFTER_MAX_THROTTLED_SECONDS); by default DEFAULT_MAX_THROTTLED_MS.
   */
  maxThrottledMs?: number;
}

/** HOOKD_RETRY_AFTER_MAX_THROTTLED_SECONDS' default (3600 s), for workers built without the setting (tests, benches). */
const DEFAULT_MAX_THROTTLED_MS = 3_600_000;

export interface WorkerDeps {
  queue: DeliveryQueue;
  plugins: PluginRegistry;
  clock: Clock;
  logger: Logger;
  options: WorkerOptions;
  /** Told of every settled attempt and failed exchange (metrics). */
  observer?: DeliveryObserver;
}

/** Webhooks one process takes in one exchange: fan-out to 1,000 webhooks is taken in four passes. */
const ACQUIRE_BATCH = 256;
/** Webhooks one process owns at most; on PostgreSQL its fair share is usually far lower. */
const MAX_OWNED = 10_000;
/** How long a pass waits for more results to record together; 20,000 deliveries made ~18,000 commits without it. */
const GROUP_COMMIT_MS = 2;
/** How often an unshared store is asked whether the API changed an owned webhook (a wake-up asks at once). */
const VERSION_CHECK_MS = 250;
/** How often an owner gives back webhooks above its fair share, so that shares settle instead of swinging. */
const GIVE_BACK_MS = 1_000;
/** Leases are renewed at least this often: with the 10 s a lease outlives the longest attempt, four renewals may fail before sending stops. */
const RENEW_EVERY_MS = 2_500;

export class DeliveryWorker {
  readonly owner = `worker-${randomUUID()}`;
  private readonly owned = new Map<number, OwnedWebhook>();
  private pending: SettledAttempt[] = [];
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private made = 0;
  private exchangeCount = 0;
  /** Look for webhooks with new work at the next pass (woken, or the poll interval passed). */
  private acquireDue = true;
  private lastAcquireAt = Number.NEGATIVE_INFINITY;
  private lastRenewAt = Number.NEGATIVE_INFINITY;
  private lastGiveBackAt = Number.NEGATIVE_INFINITY;
  private lastVersionCheckAt = Number.NEGATIVE_INFINITY;
  private versionsDue = true;
  /** Woken: every owned webhook may have new deliveries in the store. */
  private refillDue = false;
  private rotation = 0;
  private wakeUp: (() => void) | null = null;
  private whenNoneInFlight: Array<() => void> = [];
  private woken = false;
  private readonly abort = new AbortController();
  /** A window of this many deliveries per webhook: twice its in-flight limit keeps it busy between passes. */
  private readonly window: number;
  /** A lease outlives the longest attempt plus time to record it; after a crash it is what delays redelivery. */
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  /** False while the leases could expire before an attempt started now would end: the store stopped answering. */
  private leaseHolds = true;
  /** The retry policy with the Retry-After floor and bound (domain/throttle.ts): what the owners settle attempts by. */
  private readonly rules: { policy: RetryPolicy; throttle: ThrottleRule };

  constructor(private readonly deps: WorkerDeps) {
    // Every attempt in flight listens for shutdown on this one signal: hundreds at once are expected.
    setMaxListeners(0, this.abort.signal);
    this.window = Math.max(32, deps.options.maxInFlightPerWebhook * 4);
    this.leaseMs = deps.options.attemptTimeoutMs + 10_000;
    this.renewEveryMs = Math.min(this.leaseMs / 4, RENEW_EVERY_MS);
    this.rules = {
      policy: deps.options.policy,
      throttle: throttleRule(deps.options.policy, deps.options.maxThrottledMs ?? DEFAULT_MAX_THROTTLED_MS),
    };
  }

  /** 'loop' runs passes by itself; 'manual' takes work only when a test calls runOnce() or runUntilIdle(). */
  start(mode: 'loop' | 'manual' = 'loop'): void {
    if (this.running) return;
    this.running = true;
    if (mode === 'loop') this.loopDone = this.loop();
  }

  /** Tells the worker there may be new work (an event was stored, a webhook changed or came back). */
  wake(): void {
    this.acquireDue = true;
    this.versionsDue = true;
    // Called per signalled event: the owned webhooks are marked once, at the next pass, not here.
    this.refillDue = true;
    this.nudge();
  }

  /**
   * The API retried a queued delivery now: the store's row is due now, and if this worker's owner keeps it for a
   * later cycle retry, the kept copy is due now too (else it would go at its old time). On PostgreSQL the owner may
   * be another process; it keeps its own copy until then.
   */
  retryNow(webhookId: number, deliveryId: number): void {
    this.owned.get(webhookId)?.retryNow(deliveryId, this.deps.clock.now());
    this.wake();
  }

  /** Stops taking work; in-flight attempts get `timeoutMs` to finish, then are aborted; results are recorded and webhooks given back. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.nudge();
    await this.loopDone;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => (timer = setTimeout(resolve, timeoutMs, true)));
    if (await Promise.race([this.attemptsFinished(), timedOut])) {
      this.abort.abort();
      await this.attemptsFinished();
    }
    clearTimeout(timer);
    for (const w of this.owned.values()) w.stop();
    await this.exchange().catch((e: unknown) =>
      this.deps.logger.error({ err: e }, 'recording the last results failed; they will be retried'),
    );
    await this.deps.queue.releaseAll(this.owner).catch(() => undefined);
  }

  get activeAttempts(): number {
    return this.inFlight;
  }

  /** Attempts this worker has made since it started. */
  get attemptsMade(): number {
    return this.made;
  }

  /** Exchanges with the store since it started (with attemptsMade: deliveries per commit). */
  get exchanges(): number {
    return this.exchangeCount;
  }

  /** Webhooks this worker owns now. */
  get ownedWebhooks(): number {
    return this.owned.size;
  }

  /**
   * One pass: exchange with the store when there is anything to record or fetch, then start attempts up to
   * the limits. Tests call it directly with a test clock; the loop calls it whenever something happened.
   */
  async runOnce(): Promise<void> {
    const now = this.deps.clock.now();
    const refillAll = this.refillDue;
    this.refillDue = false;
    for (const w of this.owned.values()) w.beginPass(now, refillAll);
    if (now - this.lastAcquireAt >= this.deps.options.pollIntervalMs) this.acquireDue = true;
    this.checkLease(now);
    if (this.needsExchange(now)) await this.exchange();
    this.checkLease(this.deps.clock.now());
    this.startAttempts();
  }

  /**
   * Tests that drive time: passes until nothing more can happen at the clock's current time — every attempt
   * that could start has finished and is recorded. Work due later waits for the test to move the clock.
   */
  async runUntilIdle(maxPasses = 10_000): Promise<void> {
    for (let pass = 0; pass < maxPasses; pass++) {
      await this.runOnce();
      if (this.inFlight === 0 && !this.needsExchange(this.deps.clock.now()) && !this.canStartAny()) return;
      await this.attemptsFinished();
    }
    throw new Error(`the worker was still busy after ${maxPasses} passes`);
  }

  private canStartAny(): boolean {
    const now = this.deps.clock.now();
    for (const w of this.owned.values()) {
      if (w.hasDue(now) || (w.readyCount > 0 && this.canStart(w))) return true;
    }
    return false;
  }

  /** Resolves once no attempt is in flight. */
  private attemptsFinished(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenNoneInFlight.push(resolve));
  }

  /**
   * On a shared store another process takes an owned webhook once its lease expires: an attempt may start
   * only if it ends (at the latest, after the attempt timeout) while the last renewed lease still holds.
   */
  private checkLease(now: number): void {
    if (!this.deps.queue.shared) return;
    const holds = now + this.deps.options.attemptTimeoutMs <= this.lastRenewAt + this.leaseMs;
    if (holds !== this.leaseHolds && this.owned.size > 0) {
      if (holds) this.deps.logger.info('leases renewed again: sending resumes');
      else this.deps.logger.warn('leases could not be renewed: no new attempts until the store answers again');
    }
    this.leaseHolds = holds;
  }

  private async loop(): Promise<void> {
    const { logger, options } = this.deps;
    while (this.running) {
      // Results gather while attempts run: record them together (a commit costs about the same for one as for fifty).
      if (this.pending.length > 0) await this.gatherResults();
      this.woken = false;
      try {
        await this.runOnce();
      } catch (e) {
        logger.error({ err: e }, 'exchanging with the store failed; retrying after the poll interval');
        await this.idle(options.pollIntervalMs);
        continue;
      }
      await this.idle(this.sleepTime());
    }
  }

  /**
   * Group commit: wait up to GROUP_COMMIT_MS for more results before the next exchange, unless work waits in
   * the store (a take, or a window that ran dry) — a commit costs about the same for one result as for fifty.
   */
  private async gatherResults(): Promise<void> {
    const deadline = performance.now() + GROUP_COMMIT_MS;
    const target = this.deps.options.maxInFlightPerWebhook;
    // Judged once: a completion only wakes this loop, and scanning every owned webhook at each one would cost per attempt.
    // New events (acquireDue) still cut the wait short.
    if (this.urgent()) return;
    while (this.running && this.pending.length < target && this.inFlight > 0 && !this.acquireDue) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      this.woken = false;
      await this.idle(left);
    }
  }

  /** Work that waits in the store: new events to take, or an owned webhook with free slots and an empty window. */
  private urgent(): boolean {
    if (this.acquireDue) return true;
    for (const w of this.owned.values()) if (w.active && w.mayHaveMore && w.readyCount === 0 && this.canStart(w)) return true;
    return false;
  }

  /** Anything for the store: results, refills, takes, releases or a lease renewal that is due. */
  private needsExchange(now: number): boolean {
    if (this.pending.length > 0 || this.acquireDue) return true;
    if (this.deps.queue.shared && now - this.lastRenewAt >= this.renewEveryMs) return true;
    for (const w of this.owned.values()) if (w.releasable || (w.active && this.wantsRefill(w))) return true;
    return false;
  }

  private wantsRefill(w: OwnedWebhook): boolean {
    return w.mayHaveMore && w.readyCount < this.window / 2;
  }

  /** Builds the request, exchanges, and applies the answer. On failure every result is kept for the next pass. */
  private async exchange(): Promise<void> {
    const { queue, clock } = this.deps;
    const now = clock.now();
    const attempts = this.pending;
    this.pending = [];
    const recording = new Map<number, number[]>();
    for (const a of attempts) {
      const list = recording.get(a.webhookId);
      if (list) list.push(a.deliveryId);
      else recording.set(a.webhookId, [a.deliveryId]);
    }
    const tallies = new Map<number, Tally>();
    const request: ExchangeRequest = {
      owner: this.owner,
      now,
      leaseMs: this.leaseMs,
      attempts,
      counters: [],
      owned: [],
      release: [],
      refill: [],
      acquire: 0,
      acquireWant: this.window,
      renew: queue.shared && now - this.lastRenewAt >= this.renewEveryMs,
      checkVersions: this.versionsDue || now - this.lastVersionCheckAt >= VERSION_CHECK_MS,
    };
    for (const [id, w] of this.owned) {
      request.owned.push({ webhookId: id, version: w.version });
      const tally = w.takeTally();
      if (tally) {
        tallies.set(id, tally);
        request.counters.push(counterDelta(id, tally));
      }
      if (w.releasable) request.release.push(id);
      else if (w.active && this.wantsRefill(w)) {
        request.refill.push({
          webhookId: id,
          want: this.window - w.readyCount,
          holding: [...w.held, ...(recording.get(id) ?? [])],
          strict: w.strict,
        });
      }
    }
    if (this.acquireDue && this.running) request.acquire = Math.max(0, Math.min(ACQUIRE_BATCH, MAX_OWNED - this.owned.size));
    let result: ExchangeResult;
    try {
      result = await queue.exchange(request);
    } catch (e) {
      this.deps.observer?.storeFailed();
      this.pending = attempts.concat(this.pending);
      for (const [id, t] of tallies) {
        const w = this.owned.get(id);
        w?.restoreTally(t);
      }
      throw e;
    }
    if (request.acquire > 0) {
      // A full batch means more webhooks may wait (fan-out to 1,000 takes four): take the rest next pass, not after a poll.
      const taken = result.webhooks.filter((row) => !this.owned.has(row.id)).length;
      this.acquireDue = taken >= request.acquire;
      this.lastAcquireAt = now;
    }
    // A trip queued webhook{id}.errors for the webhooks that watch it: take them now, not at the next poll.
    if (request.counters.some((c) => c.trip !== null)) this.acquireDue = true;
    this.exchangeCount++;
    if (request.renew) this.lastRenewAt = now;
    if (request.checkVersions) {
      this.versionsDue = false;
      this.lastVersionCheckAt = now;
    }
    for (const a of attempts) this.owned.get(a.webhookId)?.recorded();
    this.apply(request, result, now);
  }

  private apply(request: ExchangeRequest, result: ExchangeResult, now: number): void {
    for (const id of request.release) this.owned.delete(id);
    for (const id of result.lost) {
      this.owned.get(id)?.stop();
      this.owned.delete(id);
    }
    for (const row of result.webhooks) {
      const w = this.owned.get(row.id);
      if (w) w.update(row);
      else if (row.state === 'Active') this.owned.set(row.id, new OwnedWebhook(row));
    }
    const got = new Map<number, QueuedItem[]>();
    for (const item of result.deliveries) {
      const list = got.get(item.webhookId);
      if (list) list.push(item);
      else got.set(item.webhookId, [item]);
    }
    for (const [id, items] of got) {
      const w = this.owned.get(id);
      if (w?.active) w.add(items, now);
    }
    for (const { webhookId, at } of result.nextDue) {
      const w = this.owned.get(webhookId);
      w?.noMoreUntil(at);
    }
    // A process joined: keep about busy/N webhooks, giving back the ones with least in flight (at most once a second, so shares settle).
    if (result.busyWebhooks !== null && result.workers > 1 && now - this.lastGiveBackAt >= GIVE_BACK_MS) {
      this.lastGiveBackAt = now;
      this.giveBackSurplus(Math.ceil(result.busyWebhooks / result.workers));
    }
  }

  private giveBackSurplus(share: number): void {
    const surplus = this.owned.size - (share + 1);
    if (surplus <= 0) return;
    const byLoad = [...this.owned.values()].filter((w) => w.active).sort((a, b) => a.inFlight - b.inFlight);
    for (const w of byLoad.slice(0, surplus)) w.stop();
  }

  private canStart(w: OwnedWebhook): boolean {
    const limit = this.deps.options.maxInFlightPerWebhook;
    // Results wait for the next exchange: bound them too, so a crash resends at most twice the limit of a webhook.
    return (
      this.leaseHolds &&
      w.active &&
      w.inFlight < limit &&
      w.inFlight + w.unrecorded < 2 * limit &&
      this.inFlight < this.deps.options.maxInFlight &&
      (w.unconstrained || w.controlsAllow(this.deps.clock.now()))
    );
  }

  private startFor(w: OwnedWebhook): void {
    while (this.canStart(w)) {
      const item = w.take();
      if (!item) return;
      this.run(w, item);
    }
  }

  /** Starts attempts round-robin over the owned webhooks, one each in turn, within both limits. */
  private startAttempts(): void {
    const { maxInFlight } = this.deps.options;
    if (!this.running || this.owned.size === 0) return;
    const list = [...this.owned.values()];
    this.rotation = (this.rotation + 1) % list.length;
    let progress = true;
    while (progress && this.inFlight < maxInFlight) {
      progress = false;
      for (let i = 0; i < list.length && this.inFlight < maxInFlight; i++) {
        const w = list[(this.rotation + i) % list.length] as OwnedWebhook;
        if (!this.canStart(w)) continue;
        const item = w.take();
        if (!item) continue;
        this.run(w, item);
        progress = true;
      }
    }
  }

  private run(w: OwnedWebhook, item: QueuedItem): void {
    this.inFlight++;
    const startedAt = this.deps.clock.now();
    w.started(startedAt);
    const t0 = performance.now();
    this.attempt(w, item)
      .then((outcome) => {
        this.made++;
        this.settle(w, item, outcome, startedAt, Math.round(performance.now() - t0));
      })
      .catch((e: unknown) =>
        this.settle(w, item, { kind: 'fault', status: null, stage: 'prepare', error: `[prepare] ${(e as Error).message}` }, startedAt, 0),
      )
      .finally(() => {
        this.inFlight--;
        w.ended();
        if (this.inFlight === 0) for (const resolve of this.whenNoneInFlight.splice(0)) resolve();
        // Sending runs from the window in memory: the next attempt starts now, not at the next exchange.
        if (this.running) this.startFor(w);
        this.nudge();
      });
  }

  private attempt(w: OwnedWebhook, item: QueuedItem): Promise<AttemptOutcome> {
    const plugin = this.deps.plugins.get(w.target.type);
    if (!plugin) {
      const error = `[prepare] No plugin handles webhooks of type '${w.target.type}'`;
      return Promise.resolve({ kind: 'fault', status: null, stage: 'prepare', error });
    }
    return plugin.deliver({ event: item.event, eventGuid: item.eventGuid, retry: item.attempts, webhook: w.target }, this.abort.signal);
  }

  /** The owner settles the attempt (pure policy); the worker queues the result for the next exchange and tells the observer. */
  private settle(w: OwnedWebhook, item: QueuedItem, answered: AttemptOutcome, startedAt: number, durationMs: number): void {
    if (this.owned.get(w.target.id) !== w) return; // lost meanwhile: the store would ignore it anyway
    const now = this.deps.clock.now();
    // Read before the owner settles: a kept retry moves the item on (next attempt, new EventId of a new cycle).
    const retry = item.attempts;
    const eventGuid = item.eventGuid;
    const { outcome, next } = w.settle(item, answered, this.rules, now, randomUUID);
    this.deps.observer?.attempted({
      webhookId: w.target.id,
      outcome,
      durationMs,
      latencyMs: outcome.kind === 'success' ? now - Date.parse(item.event.timestamp) : null,
      event: item.event,
      retry,
    });
    this.pending.push({ deliveryId: item.deliveryId, webhookId: w.target.id, eventGuid, retry, startedAt, durationMs, outcome, next });
    if (outcome.kind === 'fault')
      this.deps.logger.warn({ webhookId: w.target.id, error: outcome.error }, 'hookd could not send; will retry');
  }

  /** How long to sleep with nothing to do: until a cycle retry or a stored delivery falls due, at most the poll interval. */
  private sleepTime(): number {
    const now = this.deps.clock.now();
    let next = now + this.deps.options.pollIntervalMs;
    for (const w of this.owned.values()) {
      for (const item of w.delayed) next = Math.min(next, item.dueAt);
      if (w.nextDueAt !== null) next = Math.min(next, w.nextDueAt);
      // A rate limit's next slot or the end of a pause, when something waits for it.
      const until = w.readyCount > 0 ? w.waitsUntil : null;
      if (until !== null && until > now) next = Math.min(next, until);
    }
    return Math.max(0, next - now);
  }

  private nudge(): void {
    this.woken = true;
    this.wakeUp?.();
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
}
