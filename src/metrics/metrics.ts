/**
 * Prometheus metrics (prom-client), one registry per hookd: what happened (counters and histograms, fed by
 * the worker and the event service as it happens) and how things stand (gauges read from the store once per
 * scrape). Per-webhook labels only when a setting bounds them.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { EventRecord } from '../domain/payload.js';
import type { AttemptOutcome } from '../domain/retry-policy.js';
import { WEBHOOK_STATES } from '../domain/webhook.js';
import { BucketHistogram } from './bucket-histogram.js';
import type { StoreSnapshot } from '../store/delivery-log.js';

/** What the delivery worker tells the metrics, as it happens. */
export interface DeliveryObserver {
  attempted(a: {
    webhookId: number;
    outcome: AttemptOutcome;
    durationMs: number;
    latencyMs: number | null;
    /** The event, the attempt's Retry, its delivery and EventId (traces). */
    event?: EventRecord;
    retry?: number;
    deliveryId?: number;
    eventGuid?: string;
  }): void;
  storeFailed(): void;
}

export interface MetricsDeps {
  snapshot: (now: number) => Promise<StoreSnapshot>;
  /** Attempts in flight in this process. */
  inFlight: () => number;
  now: () => number;
  /** At most this many webhooks get their own label (0: none; the rest count as webhook_id="other"). */
  webhookLabels: number;
}

function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`;
}

export class HookdMetrics implements DeliveryObserver {
  readonly registry = new Registry();
  private current: StoreSnapshot = { queued: 0, oldestDueAt: null, webhooks: {} };
  private readonly labelled = new Set<number>();
  private readonly events: Counter;
  private readonly attempts: Counter;
  private readonly webhookAttempts: Counter | null;
  private readonly storeErrors: Counter;
  private readonly prunedRows: Counter;
  private readonly latency: BucketHistogram;
  private readonly duration: BucketHistogram;
  /**
   * The labelled counters an attempt adds to, kept by their labels, with what was counted since the last scrape: the
   * registry gets it then (`collect`). `inc(labels)` sorted and joined its labels and hashed them on every call, on
   * every delivery's path (issue 22).
   */
  private readonly counted = new Map<string, { child: Counter.Internal; pending: number }>();

  constructor(private readonly deps: MetricsDeps) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'hookd_' });
    this.events = new Counter({ name: 'hookd_events_ingested_total', help: 'Events stored (signalled and accepted)', registers });
    this.attempts = new Counter({
      name: 'hookd_attempts_total',
      help: 'Delivery attempts by outcome (success, failure, gone, fault) and status class (2xx … 5xx, none)',
      labelNames: ['outcome', 'status_class'],
      registers,
      collect: () => this.flushCounted(),
    });
    this.webhookAttempts =
      deps.webhookLabels > 0
        ? new Counter({
            name: 'hookd_webhook_attempts_total',
            help: `Delivery attempts per webhook (the first ${deps.webhookLabels} webhooks seen; the rest as "other")`,
            labelNames: ['webhook_id', 'outcome'],
            registers,
            collect: () => this.flushCounted(),
          })
        : null;
    this.storeErrors = new Counter({ name: 'hookd_store_errors_total', help: 'Delivery exchanges with the store that failed', registers });
    this.prunedRows = new Counter({
      name: 'hookd_pruned_total',
      help: 'Rows pruned by retention: finished deliveries (with their attempts) and event payloads',
      labelNames: ['kind'],
      registers,
    });
    this.latency = new BucketHistogram(
      'hookd_delivery_latency_seconds',
      'From the event being signalled to the 2xx answer of its delivery',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      this.registry,
    );
    this.duration = new BucketHistogram(
      'hookd_attempt_duration_seconds',
      'How long one attempt took, answer or not',
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      this.registry,
    );
    const queued: Gauge = new Gauge({
      name: 'hookd_deliveries_queued',
      help: 'Deliveries not yet delivered (due or waiting), in the whole store',
      registers,
      collect: () => queued.set(this.current.queued),
    });
    const inFlight: Gauge = new Gauge({
      name: 'hookd_deliveries_in_flight',
      help: 'Attempts in flight in this process (its leased work)',
      registers,
      collect: () => inFlight.set(this.deps.inFlight()),
    });
    const oldest: Gauge = new Gauge({
      name: 'hookd_oldest_due_delivery_age_seconds',
      help: 'How long the oldest delivery that is due has waited (0: none is due)',
      registers,
      collect: () => {
        const at = this.current.oldestDueAt;
        oldest.set(at === null ? 0 : Math.max(0, (this.deps.now() - at) / 1000));
      },
    });
    const webhooks: Gauge = new Gauge({
      name: 'hookd_webhooks',
      help: 'Webhooks by state',
      labelNames: ['state'],
      registers,
      collect: () => {
        for (const state of WEBHOOK_STATES.slice(1)) webhooks.set({ state }, this.current.webhooks[state] ?? 0);
      },
    });
  }

  eventsIngested(n: number): void {
    if (n > 0) this.events.inc(n);
  }

  attempted(a: { webhookId: number; outcome: AttemptOutcome; durationMs: number; latencyMs: number | null }): void {
    const { kind, status } = a.outcome;
    this.child(this.attempts, `${kind} ${status}`, () => ({ outcome: kind, status_class: statusClass(status) })).pending++;
    this.duration.observe(a.durationMs / 1000);
    if (kind === 'success' && a.latencyMs !== null) this.latency.observe(Math.max(0, a.latencyMs) / 1000);
    if (this.webhookAttempts) {
      if (!this.labelled.has(a.webhookId) && this.labelled.size < this.deps.webhookLabels) this.labelled.add(a.webhookId);
      const id = this.labelled.has(a.webhookId) ? String(a.webhookId) : 'other';
      this.child(this.webhookAttempts, `w ${id} ${kind}`, () => ({ webhook_id: id, outcome: kind })).pending++;
    }
  }

  /** The counter's child for these labels, made once (`key` names the labels; its labels object is built only then). */
  private child(counter: Counter, key: string, labels: () => Record<string, string>): { child: Counter.Internal; pending: number } {
    let found = this.counted.get(key);
    if (!found) {
      found = { child: counter.labels(labels()), pending: 0 };
      this.counted.set(key, found);
    }
    return found;
  }

  /** Hands what attempts counted since the last scrape to the registry's counters. */
  private flushCounted(): void {
    for (const c of this.counted.values()) {
      if (c.pending === 0) continue;
      c.child.inc(c.pending);
      c.pending = 0;
    }
  }

  pruned(p: { deliveries: number; events: number }): void {
    if (p.deliveries > 0) this.prunedRows.inc({ kind: 'deliveries' }, p.deliveries);
    if (p.events > 0) this.prunedRows.inc({ kind: 'events' }, p.events);
  }

  storeFailed(): void {
    this.storeErrors.inc();
  }

  /** The text a Prometheus scrape gets: the store is read once, then every metric is written. */
  async text(): Promise<string> {
    this.current = await this.deps.snapshot(this.deps.now());
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
