/**
 * The sending side of the worker: starts attempts from the owners' windows within the global and per-webhook
 * limits (round-robin, so busy webhooks share the process by attempts started), runs each through its plugin,
 * and has the owner settle the outcome with the pure policy. Each settled result goes to `onSettled` for the
 * next exchange; the worker decides when to meet the store.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { errorText } from '../domain/errors.js';
import type { AttemptOutcome, RetryPolicy } from '../domain/retry-policy.js';
import type { ThrottleRule } from '../domain/throttle.js';
import { traceIdOf } from '../domain/trace-context.js';
import type { Clock } from '../lib/clock.js';
import type { DeliveryObserver } from '../metrics/metrics.js';
import type { QueuedItem, SettledAttempt } from '../store/delivery-queue.js';
import type { OwnedWebhook } from './owned-webhook.js';
import type { Owners } from './owners.js';
import type { PluginRegistry } from './plugins.js';
import { newGuid } from '../lib/guid.js';

/**
 * Attempts in flight plus results not yet recorded, per webhook: what a crash may send again — twice its in-flight
 * limit now plus a group commit's results (GROUP_COMMIT_LIMITS in-flight floors: 2 × 16 + 256 = 288 at the floor,
 * 384 at 64), so sending goes on while a group commit gathers.
 */
function unrecordedBound(limit: number, groupCommit: number): number {
  return 2 * limit + groupCommit;
}

export interface AttemptsDeps {
  plugins: PluginRegistry;
  clock: Clock;
  logger: Logger;
  observer?: DeliveryObserver;
  /** In flight in the process at most, and the results a group commit gathers (what a crash may resend beyond 2 × a limit). */
  limits: { maxInFlight: number; groupCommit: number };
  /** What the owners settle attempts by: the retry policy with the Retry-After floor and bound. */
  rules: { policy: RetryPolicy; throttle: ThrottleRule };
  owned: Owners;
  /** Whether a new attempt may start at all: the worker runs and its leases hold. */
  mayStart: () => boolean;
  /** A result to record at the next exchange. */
  onSettled: (result: SettledAttempt) => void;
  /** An attempt ended: the worker's loop may have work. */
  onEnded: () => void;
  /** A webhook's window holds less than its in-flight limit while the store may hold more: its refill should go out now (null: never asked). */
  onLow: (() => void) | null;
}

export class Attempts {
  private inFlightNow = 0;
  private made = 0;
  private rotation = 0;
  private whenNoneInFlight: Array<() => void> = [];
  private readonly abort = new AbortController();

  constructor(private readonly deps: AttemptsDeps) {
    // Every attempt in flight listens for shutdown on this one signal: hundreds at once are expected.
    setMaxListeners(0, this.abort.signal);
  }

  get inFlight(): number {
    return this.inFlightNow;
  }

  /** Attempts made (answered or failed) since the worker started. */
  get count(): number {
    return this.made;
  }

  /** Resolves once no attempt is in flight. */
  finished(): Promise<void> {
    if (this.inFlightNow === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenNoneInFlight.push(resolve));
  }

  /** Shutdown: attempts in flight get `timeoutMs` to finish, then are aborted; resolves once none is in flight. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => (timer = setTimeout(resolve, timeoutMs, true)));
    if (await Promise.race([this.finished(), timedOut])) {
      this.abort.abort();
      await this.finished();
    }
    clearTimeout(timer);
  }

  /** Something could start now: a kept retry fell due, or a window holds work its webhook has room for. */
  anyCanStart(now: number): boolean {
    for (const w of this.deps.owned.values()) {
      if (w.hasDue(now) || (w.readyCount > 0 && this.canStart(w))) return true;
    }
    return false;
  }

  canStart(w: OwnedWebhook): boolean {
    const { maxInFlight, groupCommit } = this.deps.limits;
    const limit = w.limit;
    // Results wait for the next exchange: bound them too, so a crash resends at most that many.
    return (
      this.deps.mayStart() &&
      w.active &&
      w.inFlight < limit &&
      w.inFlight + w.unrecorded < unrecordedBound(limit, groupCommit) &&
      this.inFlightNow < maxInFlight &&
      (w.unconstrained || w.controlsAllow(this.deps.clock.now()))
    );
  }

  /** Starts what one webhook's window allows (an attempt of it just ended). */
  startFor(w: OwnedWebhook): void {
    while (this.canStart(w)) {
      const item = w.take();
      if (!item) return;
      this.run(w, item);
    }
  }

  /** Starts attempts round-robin over the owned webhooks, one each in turn, within both limits. */
  startAll(): void {
    const { maxInFlight } = this.deps.limits;
    if (this.deps.owned.size === 0) return;
    const list = [...this.deps.owned.values()];
    this.rotation = (this.rotation + 1) % list.length;
    let progress = true;
    while (progress && this.inFlightNow < maxInFlight) {
      progress = false;
      for (let i = 0; i < list.length && this.inFlightNow < maxInFlight; i++) {
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
    this.inFlightNow++;
    const startedAt = this.deps.clock.now();
    w.started(startedAt);
    const t0 = performance.now();
    // Two reactions on the attempt's promise, not a then/catch/finally chain: two promises and microtasks less an
    // attempt. As before, a settle that throws is settled again as hookd's own fault.
    this.attempt(w, item).then(
      (outcome) => {
        try {
          this.made++;
          this.settle(w, item, outcome, startedAt, Math.round(performance.now() - t0));
        } catch (e) {
          this.settleFault(w, item, e, startedAt);
        } finally {
          this.ended(w);
        }
      },
      (e: unknown) => {
        try {
          this.settleFault(w, item, e, startedAt);
        } finally {
          this.ended(w);
        }
      },
    );
  }

  private settleFault(w: OwnedWebhook, item: QueuedItem, e: unknown, startedAt: number): void {
    this.settle(w, item, { kind: 'fault', status: null, stage: 'prepare', error: `[prepare] ${errorText(e)}` }, startedAt, 0);
  }

  /** An attempt is over: the next one starts from the window in memory, not at the next exchange. */
  private ended(w: OwnedWebhook): void {
    this.inFlightNow--;
    w.ended();
    if (this.inFlightNow === 0) for (const resolve of this.whenNoneInFlight.splice(0)) resolve();
    this.startFor(w);
    if (this.deps.onLow && w.runningDry) this.deps.onLow();
    this.deps.onEnded();
  }

  private attempt(w: OwnedWebhook, item: QueuedItem): Promise<AttemptOutcome> {
    const plugin = this.deps.plugins.get(w.target.type);
    if (!plugin) {
      const error = `[prepare] No plugin handles webhooks of type '${w.target.type}'`;
      return Promise.resolve({ kind: 'fault', status: null, stage: 'prepare', error });
    }
    try {
      return plugin.deliver({ event: item.event, eventGuid: item.eventGuid, retry: item.attempts, webhook: w.target }, this.abort.signal);
    } catch (e) {
      // A plugin that throws rather than rejects: the attempt still ends (its slot is given back) as hookd's own fault.
      return Promise.reject(e as Error);
    }
  }

  /** The owner settles the attempt (pure policy); the result goes to the next exchange, and the observer is told. */
  private settle(w: OwnedWebhook, item: QueuedItem, answered: AttemptOutcome, startedAt: number, durationMs: number): void {
    if (this.deps.owned.get(w.target.id) !== w) return; // lost meanwhile: the store would ignore it anyway
    const now = this.deps.clock.now();
    // Read before the owner settles: a kept retry moves the item on (next attempt, new EventId of a new cycle).
    const retry = item.attempts;
    const eventGuid = item.eventGuid;
    const { outcome, next } = w.settle(item, answered, this.deps.rules, now, newGuid);
    w.answered(outcome.kind === 'success', durationMs);
    this.deps.observer?.attempted({
      webhookId: w.target.id,
      outcome,
      durationMs,
      latencyMs: outcome.kind === 'success' ? now - Date.parse(item.event.timestamp) : null,
      event: item.event,
      retry,
      deliveryId: item.deliveryId,
      eventGuid,
    });
    this.deps.onSettled({ deliveryId: item.deliveryId, webhookId: w.target.id, eventGuid, retry, startedAt, durationMs, outcome, next });
    if (outcome.kind === 'fault') {
      const traceId = traceIdOf(item.event.traceParent);
      this.deps.logger.warn(
        { webhookId: w.target.id, error: outcome.error, ...(traceId ? { traceId } : {}) },
        'hookd could not send; will retry',
      );
    }
  }
}
