/**
 * The delivery scheduler. It owns webhooks (all of them on SQLite; a fair share under leases on
 * PostgreSQL), keeps a window of each one's queued deliveries in memory, runs attempts through their
 * plugins within a global and a per-webhook limit, settles each outcome with the pure policy, and meets
 * the store once per pass (`DeliveryQueue.exchange`): results in, next work out. Results that finish
 * while an exchange runs are group-committed by the next one.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { paceFor } from '../domain/in-flight-pace.js';
import type { RetryPolicy } from '../domain/retry-policy.js';
import { throttleRule } from '../domain/throttle.js';
import type { Clock } from '../lib/clock.js';
import type { DeliveryObserver } from '../metrics/metrics.js';
import type { DeliveryQueue, ExchangeRequest, ExchangeResult, QueuedItem, SettledAttempt } from '../store/delivery-queue.js';
import { Attempts } from './attempts.js';
import { Leases } from './leases.js';
import { Owners } from './owners.js';
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
/**
 * How long a pass waits for more results to record together: 20,000 deliveries made ~18,000 commits without a
 * wait, ~1,300 with 2 ms and 16 results a commit, ~380 with 5 ms and 64 (issue 22: the commit was ~9 µs of a
 * delivery's CPU at 16 a commit, ~3 µs at 64). With many busy webhooks a commit writes a page of each one's index
 * entries however few results it holds: with 100 webhooks, 5 ms (~100 results) cost ~9 µs a delivery in the commit,
 * 20 ms ~3 µs. One busy webhook fills its group (GROUP_COMMIT_LIMITS) first. Recording later delays no delivery:
 * sending runs from the window.
 */
const GROUP_COMMIT_MS = 20;
/**
 * Results per commit worth waiting for, in in-flight floors of a webhook (16 × 16 = 256 by default): at ~22,000
 * deliveries a second 64 a commit made ~940 commits for 60,000 deliveries, 128 ~570 (then GROUP_COMMIT_MS bounds it),
 * 46 → 43 µs of CPU a delivery (bench/cpu-per-delivery.ts); at ~27,000 a second, 256 made ~250 commits where 128
 * made ~480, 35.3 → 33.9 µs and 27,000 → 28,300 deliveries a second. It bounds what a crash re-sends (attempts.ts).
 */
const GROUP_COMMIT_LIMITS = 16;
/** Busy webhooks whose groups one commit gathers at most. */
const GROUP_COMMIT_WEBHOOKS = 8;
/** How often an unshared store is asked whether the API changed an owned webhook (a wake-up asks at once). */
const VERSION_CHECK_MS = 250;
/**
 * How long an unshared store's worker keeps an idle webhook (no work in its window): an event within that time is
 * handed to its owner, not found by a take (an exchange) first. 10,000 idle owners cost a few MB.
 */
const KEEP_IDLE_MS = 30_000;
/** How often an owner gives back webhooks above its fair share, so that shares settle instead of swinging. */
const GIVE_BACK_MS = 1_000;

export class DeliveryWorker {
  readonly owner = `worker-${randomUUID()}`;
  private readonly owned: Owners;
  private pending: SettledAttempt[] = [];
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private exchangeCount = 0;
  /** Look for webhooks with new work at the next pass (woken, or the poll interval passed). */
  private acquireDue = true;
  private lastAcquireAt = Number.NEGATIVE_INFINITY;
  private lastGiveBackAt = Number.NEGATIVE_INFINITY;
  private lastVersionCheckAt = Number.NEGATIVE_INFINITY;
  private versionsDue = true;
  /** Woken: every owned webhook may have new deliveries in the store. */
  private refillDue = false;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** Wake-ups so far: one that comes while an exchange runs must outlive that exchange's answer. */
  private wakes = 0;
  private readonly attempts: Attempts;
  private readonly leases: Leases;
  /** One webhook's group commit: GROUP_COMMIT_LIMITS in-flight floors (256 by default); also bounds its unrecorded results. */
  private readonly groupCommit: number;
  /** Results the gathering group commit waits for: GROUP_COMMIT_LIMITS floors for each busy webhook, up to GROUP_COMMIT_WEBHOOKS. */
  private groupTarget: number;
  /** The loop waits for a group commit's results: completions do not wake it until the group is complete. */
  private gathering = false;
  /**
   * A window is running dry while its store may hold more (Attempts.onLow on PostgreSQL; on SQLite, deliveries left to
   * a refill by an ingestion, offer): a gathering group ends, or none starts, and the refill goes out.
   */
  private windowLow = false;

  constructor(private readonly deps: WorkerDeps) {
    // A window of four in-flight limits keeps a webhook busy between passes; an idle webhook stays owned on SQLite.
    const pace = paceFor(deps.options.maxInFlightPerWebhook);
    this.owned = new Owners(pace, deps.queue.shared ? 0 : KEEP_IDLE_MS);
    this.groupCommit = pace.floor * GROUP_COMMIT_LIMITS;
    this.groupTarget = this.groupCommit;
    this.leases = new Leases(deps.queue.shared, deps.options.attemptTimeoutMs, deps.logger);
    const { policy, maxThrottledMs, maxInFlight } = deps.options;
    this.attempts = new Attempts({
      ...deps,
      limits: { maxInFlight, groupCommit: this.groupCommit },
      // The retry policy with the Retry-After floor and bound (domain/throttle.ts): what the owners settle attempts by.
      rules: { policy, throttle: throttleRule(policy, maxThrottledMs ?? DEFAULT_MAX_THROTTLED_MS) },
      owned: this.owned,
      mayStart: () => this.running && this.leases.hold,
      onSettled: (result) => this.pending.push(result),
      onEnded: () => this.nudge(),
      // On PostgreSQL the exchange that refills a window is a round trip of a few ms: it must go out before the window
      // runs dry (1 process 14,200 → 15,200 deliveries/s). SQLite's runs in the same turn of the loop and ending the
      // group early at each attempt's end only made smaller commits (570 → 700 for 60,000 deliveries): there only an
      // ingestion that leaves deliveries to a window running dry ends it (offer).
      onLow: deps.queue.shared ? () => (this.windowLow = true) : null,
    });
    deps.queue.onQueued?.((items) => this.offer(items));
  }

  /** 'loop' runs passes by itself; 'manual' takes work only when a test calls runOnce() or runUntilIdle(). */
  start(mode: 'loop' | 'manual' = 'loop'): void {
    if (this.running) return;
    this.running = true;
    if (mode === 'loop') this.loopDone = this.loop();
  }

  /** Tells the worker there may be new work (an event was stored, a webhook changed or came back). */
  wake(): void {
    this.wakes++;
    this.acquireDue = true;
    this.versionsDue = true;
    // Called per signalled event: the owned webhooks are marked once, at the next pass, not here.
    this.refillDue = true;
    this.nudge();
  }

  /** Events were stored: wake the worker, unless the store hands it their deliveries (SQLite: offer did the waking). */
  eventsStored(): void {
    if (!this.deps.queue.onQueued) this.wake();
  }

  /** Deliveries the store just queued, handed over after its commit (Owners.offer takes what it can). */
  private offer(items: QueuedItem[]): void {
    if (!this.running) return;
    const now = this.deps.clock.now();
    // An owner idle for a while may hold an old copy of its webhook: the pass that sends these checks versions first.
    if (now - this.lastVersionCheckAt >= VERSION_CHECK_MS) this.versionsDue = true;
    const { unowned, dry, taken } = this.owned.offer(items, now);
    // A webhook to take cuts a gathering group commit short, as a wake-up does. Deliveries left to an owner's refill
    // do so only when its window runs dry: it refills at the next exchange anyway, and a take there would look for
    // webhooks that are all owned (a query of ~30 µs after every ingestion batch, and groups cut short by them).
    if (unowned) {
      this.acquireDue = true;
      this.wakes++;
    }
    if (dry) this.windowLow = true;
    // Handed-off deliveries wait in a window: a group commit that is gathering starts them without waiting for its end.
    if (taken && this.gathering) this.startAttempts();
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
    await this.attempts.drain(timeoutMs);
    for (const w of this.owned.values()) w.stop();
    await this.exchange().catch((e: unknown) =>
      this.deps.logger.error({ err: e }, 'recording the last results failed; they will be retried'),
    );
    await this.deps.queue.releaseAll(this.owner).catch(() => undefined);
  }

  get activeAttempts(): number {
    return this.attempts.inFlight;
  }

  /** Attempts this worker has made since it started. */
  get attemptsMade(): number {
    return this.attempts.count;
  }

  /** Exchanges with the store since it started (with attemptsMade: deliveries per commit). */
  get exchanges(): number {
    return this.exchangeCount;
  }

  /** What the owners' windows hold in bytes (eventBytes): bounded by Owners' byte rooms. */
  get heldBytes(): number {
    let bytes = 0;
    for (const w of this.owned.values()) bytes += w.heldBytes;
    return bytes;
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
    this.leases.check(now, this.owned.size > 0);
    // Send first what the windows hold (handed-off deliveries need nothing from the store), unless the owners'
    // copies of their webhooks must be read again before anything more is sent.
    if (!this.versionsDue) this.startAttempts();
    if (this.needsExchange(now)) await this.exchange();
    this.leases.check(this.deps.clock.now(), this.owned.size > 0);
    this.startAttempts();
  }

  /**
   * Tests that drive time: passes until nothing more can happen at the clock's current time — every attempt
   * that could start has finished and is recorded. Work due later waits for the test to move the clock.
   */
  async runUntilIdle(maxPasses = 10_000): Promise<void> {
    for (let pass = 0; pass < maxPasses; pass++) {
      await this.runOnce();
      const now = this.deps.clock.now();
      if (this.attempts.inFlight === 0 && !this.needsExchange(now) && !this.attempts.anyCanStart(now)) return;
      await this.attempts.finished();
    }
    throw new Error(`the worker was still busy after ${maxPasses} passes`);
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
   * One timer and one wait for the whole group: a completion wakes the loop only once the group is complete
   * (`nudge`), not once per attempt (a promise and a timer per attempt were ~1 KB of garbage a delivery).
   */
  private async gatherResults(): Promise<void> {
    // One pass over the owners, judged once (a completion only wakes this loop; scanning at each one would cost per
    // attempt). Work waiting in the store — new events to take, or an owned webhook with free slots and an empty
    // window — ends the wait before it starts. Each busy webhook adds a group, its own results still bounded by its
    // limit (attempts.ts), so that a commit's pages carry more results (at most GROUP_COMMIT_WEBHOOKS groups).
    let busy = 0;
    // A window that ran dry since the last pass counts too: cleared below, it would be lost while the group gathers.
    let urgent = this.acquireDue || this.versionsDue || this.windowLow;
    for (const w of this.owned.values()) {
      if (w.inFlight > 0) busy++;
      if (!urgent && w.active && w.mayHaveMore && w.readyCount === 0 && w.bytesWant > 0 && this.attempts.canStart(w)) urgent = true;
    }
    this.groupTarget = this.groupCommit * Math.min(GROUP_COMMIT_WEBHOOKS, Math.max(1, busy));
    this.windowLow = false;
    if (urgent || this.groupComplete()) return;
    this.woken = false;
    this.gathering = true;
    try {
      await this.idle(GROUP_COMMIT_MS);
    } finally {
      this.gathering = false;
    }
  }

  /** A gathering group commit is over: enough results, none more to come, work waiting in the store, or stopping. */
  private groupComplete(): boolean {
    return (
      !this.running ||
      this.pending.length >= this.groupTarget ||
      this.attempts.inFlight === 0 ||
      this.acquireDue ||
      this.versionsDue ||
      this.windowLow
    );
  }

  /** Anything for the store: results, refills, takes, releases or a lease renewal that is due. */
  private needsExchange(now: number): boolean {
    if (this.pending.length > 0 || this.acquireDue || this.versionsDue) return true;
    if (this.leases.due(now)) return true;
    return this.owned.needStore(now);
  }

  /** Builds the request, exchanges, and applies the answer. On failure every result is kept for the next pass. */
  private async exchange(): Promise<void> {
    const { queue, clock } = this.deps;
    const now = clock.now();
    const attempts = this.pending;
    this.pending = [];
    const { tallies, ...owned } = this.owned.plan(now, attempts);
    const acquire = this.acquireDue && this.running ? Math.max(0, Math.min(ACQUIRE_BATCH, MAX_OWNED - this.owned.size)) : 0;
    const take = this.owned.takeRoom(acquire);
    const request: ExchangeRequest = {
      ...owned,
      owner: this.owner,
      now,
      leaseMs: this.leases.leaseMs,
      attempts,
      acquire,
      acquireWant: take.want,
      acquireMaxBytes: take.maxBytes,
      renew: this.leases.due(now),
      checkVersions: this.versionsDue || now - this.lastVersionCheckAt >= VERSION_CHECK_MS,
    };
    const wakesBefore = this.wakes;
    let result: ExchangeResult;
    try {
      result = await queue.exchange(request);
    } catch (e) {
      this.deps.observer?.storeFailed();
      this.pending = attempts.concat(this.pending);
      this.owned.restore({ tallies, ...owned });
      throw e;
    }
    // Woken while the exchange ran (an event stored, another process's NOTIFY): its take and version check may have
    // read the store before that work was there, so they are due again — else the wake-up was lost until the next poll.
    const wokenMeanwhile = this.wakes !== wakesBefore;
    if (request.acquire > 0) {
      // A full batch means more webhooks may wait (fan-out to 1,000 takes four): take the rest next pass, not after a poll.
      const taken = result.webhooks.filter((row) => !this.owned.has(row.id)).length;
      this.acquireDue = taken >= request.acquire || wokenMeanwhile;
      this.lastAcquireAt = now;
    }
    // A trip queued webhook{id}.errors for the webhooks that watch it: take them now, not at the next poll.
    if (request.counters.some((c) => c.trip !== null)) this.acquireDue = true;
    this.exchangeCount++;
    if (request.renew) this.leases.renewed(now);
    if (request.checkVersions) {
      this.versionsDue = wokenMeanwhile;
      this.lastVersionCheckAt = now;
    }
    for (const a of attempts) this.owned.get(a.webhookId)?.recorded();
    this.owned.apply(request.release, result, now);
    // A process joined: keep about busy/N webhooks (at most once a second, so shares settle).
    if (result.busyWebhooks !== null && result.workers > 1 && now - this.lastGiveBackAt >= GIVE_BACK_MS) {
      this.lastGiveBackAt = now;
      this.owned.giveBackSurplus(Math.ceil(result.busyWebhooks / result.workers));
    }
  }

  /** Starts what the windows allow (nothing once the worker stops). */
  private startAttempts(): void {
    if (this.running) this.attempts.startAll();
  }

  /** How long to sleep with nothing to do: until a cycle retry or a stored delivery falls due, at most the poll interval. */
  private sleepTime(): number {
    const now = this.deps.clock.now();
    return Math.max(0, this.owned.nextWake(now, now + this.deps.options.pollIntervalMs) - now);
  }

  private nudge(): void {
    if (this.gathering && !this.groupComplete()) return;
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
