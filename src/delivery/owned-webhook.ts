/**
 * One webhook as its owner holds it: the target it sends to, a window of its queued deliveries (ready
 * now, or waiting on a cycle timer), what is in flight, and the running counters the pure policy needs.
 * Every delivery id the owner holds (ready, delayed, in flight) is in `held`; ids whose result waits for the
 * next exchange are added to a refill's holding list by the worker, so no delivery is handed out twice.
 */
import { type InFlightPace, pacedAfter, type PaceState } from '../domain/in-flight-pace.js';
import type { AttemptOutcome, RetryPolicy } from '../domain/retry-policy.js';
import { type DeliveryStep, emptyTally, mergeTallies, stepAfter, type Tally, tallyAttempt } from '../domain/settlement.js';
import { judgeThrottle, type ThrottleRule } from '../domain/throttle.js';
import { eventBytes } from '../domain/stored-event.js';
import type { WebhookState } from '../domain/webhook.js';
import type { OwnedWebhookRow, QueuedItem, RefillMark, RefillRequest, WebhookTarget } from '../store/delivery-queue.js';

/**
 * A rate-limited webhook keeps its schedule when an attempt starts at most this late (timers fire a few ms
 * late, and above 1,000/s several slots pass between two passes); later than that, the schedule restarts
 * from now, so an idle spell never turns into a burst. Over any window W it sends at most W × MaxPerSecond + 1.
 */
const SLOT_SLACK_MS = 10;

/**
 * What a fresh owner assumes an event takes before it has seen one of its own (owners.ts bounds the bytes it holds):
 * a webhook alone reads its first window of 64 as before (16 MiB / 256 KiB), one of many a few deliveries — so a
 * restart in front of a backlog of 1 MB events does not read hundreds of them at once for every webhook it takes
 * (Owners.takeRoom).
 */
export const ASSUMED_EVENT_BYTES = 256 * 1024;

export class OwnedWebhook {
  target: WebhookTarget;
  state: WebhookState;
  version: string;
  /** Failed attempts since the last success, kept exact by the owner (the only writer). */
  consecutive: number;
  /**
   * Due now, oldest first (a head index instead of shift(): a window turns over thousands of times a second). Slots
   * before the head are emptied as they are taken, so the window does not keep a sent item and its event alive until
   * the next compaction (up to 1,024 of them).
   */
  private readyItems: Array<QueuedItem | undefined> = [];
  private head = 0;
  /** Failed within their cycle, due again at `dueAt` (1 s, then 4 s). */
  delayed: QueuedItem[] = [];
  inFlight = 0;
  /** Results settled but not yet recorded: with inFlight, what a crash would send again. */
  unrecorded = 0;
  readonly held = new Set<number>();
  /** What the held items' events take (eventBytes): kept under `byteBudget` by refills and hand-offs. */
  heldBytes = 0;
  /**
   * The bytes this owner may hold (set by Owners from its share; unbounded for an owner on its own in a unit test).
   * Counted in items alone, a window of 1 MB events held ~1 GB, and the hand-off room ~16 GB: a slow receiver took
   * the process down with an out-of-memory crash after ~4,900 of them.
   */
  byteBudget = Number.POSITIVE_INFINITY;
  /** What one of its events takes, as far as it knows: the largest queued or read since, halving as smaller ones are read. */
  private eventSizeHint = ASSUMED_EVENT_BYTES;
  /**
   * Where the last refill stopped in due order (null: the next refill reads from the start). Everything queued
   * before it is held here, so the next refill reads on from it and names only `offMark`: at 256 held ids, reading
   * past them and checking each against the list cost ~4 µs a delivery (issue 22's profile).
   */
  private mark: RefillMark | null = null;
  /** Held ids that may lie after the mark: held when it was set, handed off, or kept for a retry since. */
  private readonly offMark = new Set<number>();
  /** Times the mark was forgotten: a refill planned before the last time must not set a new one. */
  private forgotten = 0;
  private forgottenAtRequest = 0;
  /** Deliveries left to the store (leftInStore) so far, and as many when the last refill was asked for. */
  private leftCount = 0;
  private leftAtRequest = 0;
  /** Statistics changes since the last exchange. */
  tally: Tally = emptyTally();
  /** The store may hold more due deliveries than the window has taken. */
  mayHaveMore = true;
  /** When the store's next not-yet-due delivery falls due (null: none known). */
  nextDueAt: number | null = null;
  /** Give it back once nothing of it is in flight (switched off, lost its share, or idle). */
  releasing = false;
  /** MaxPerSecond as the gap between two attempts' starts (0: no limit). */
  slotMs = 0;
  /** When the next attempt may start under MaxPerSecond. */
  nextSlotAt = Number.NEGATIVE_INFINITY;
  /** A receiver's Retry-After: nothing starts before then. */
  pausedUntil = 0;
  /**
   * The first throttled answer since the last success (null: not throttled), for the bound on throttling.
   * Kept in memory only: a restart, or the webhook moving to another process, starts the stretch again. That
   * costs at most one more bound of throttled attempts, each at least the floor apart (one per second and
   * in-flight slot by default) — never the hammering the floor prevents — and keeps the hot path free of writes.
   */
  throttledSince: number | null = null;
  /** Ordering Strict: one delivery at a time, its queue in signal order; a failing head blocks the rest. */
  strict = false;
  /** When the window last took a delivery (how long it has been idle, for keeping it owned on an unshared store). */
  lastWorkAt = Number.NEGATIVE_INFINITY;
  /** Its in-flight limit now, earned by quick answers (domain/in-flight-pace.ts). */
  private paceState: PaceState;

  constructor(
    row: OwnedWebhookRow,
    private readonly pace: InFlightPace = { floor: 16, ceiling: 16 },
  ) {
    this.paceState = { limit: pace.floor, quickInARow: 0 };
    this.target = row;
    this.state = row.state;
    this.version = row.version;
    this.consecutive = row.consecutiveErrors;
    this.applyControls(row);
  }

  /** An API write changed it: new target and state; the counters restart from the stored ones. */
  update(row: OwnedWebhookRow): void {
    this.target = row;
    this.state = row.state;
    this.version = row.version;
    this.consecutive = row.consecutiveErrors;
    this.applyControls(row);
    if (row.state !== 'Active') this.stop();
  }

  private applyControls(row: OwnedWebhookRow): void {
    this.slotMs = row.maxPerSecond === null ? 0 : 1000 / row.maxPerSecond;
    this.strict = row.strict;
  }

  /** No rate limit, pause or strict ordering: the worker need not read the clock to start an attempt (the common case). */
  get unconstrained(): boolean {
    return this.slotMs === 0 && this.pausedUntil === 0 && !this.strict;
  }

  /** Whether MaxPerSecond, a Retry-After pause and strict ordering let one more attempt start now. */
  controlsAllow(now: number): boolean {
    if (now < this.pausedUntil || now < this.nextSlotAt) return false;
    this.pausedUntil = 0; // a pause that is over is forgotten, so the webhook is unconstrained again
    // Strict: the previous attempt must be recorded too, or a crash could resend it after the next one.
    return !this.strict || (this.inFlight === 0 && this.unrecorded === 0 && this.delayed.length === 0);
  }

  /**
   * Applies the Retry-After rule to an attempt's outcome (the floor; past the bound, a failure), remembering
   * since when the webhook is throttled, and pauses the webhook when the receiver asked for it.
   */
  judge(outcome: AttemptOutcome, rule: ThrottleRule, now: number): AttemptOutcome {
    const judged = judgeThrottle(outcome, this.throttledSince, rule, now);
    this.throttledSince = judged.throttledSince;
    if (judged.outcome.kind === 'throttled') this.pausedUntil = Math.max(this.pausedUntil, now + judged.outcome.retryAfterMs);
    return judged.outcome;
  }

  /** An attempt starts: the next slot is one gap later (on schedule when it is at most SLOT_SLACK_MS late, else from now). */
  started(now: number): void {
    this.inFlight++;
    if (this.slotMs === 0) return;
    this.nextSlotAt = (now - this.nextSlotAt > SLOT_SLACK_MS ? now : this.nextSlotAt) + this.slotMs;
  }

  /** An attempt's promise settled (its result, if any, was settled before). */
  ended(): void {
    this.inFlight--;
  }

  /** Requests it may have in flight now. */
  get limit(): number {
    return this.paceState.limit;
  }

  /**
   * Deliveries its window holds: four in-flight floors, or four times its limit once it has earned more, so that a
   * refill-fed window lasts a group commit (issue 22: at twice its limit it ran dry while the exchange that refills it
   * gathered its group; the gathering now ends once it is `runningDry`).
   */
  get window(): number {
    return Math.max(32, 4 * this.pace.floor, 4 * this.paceState.limit);
  }

  /** An answer came: quick successes raise its limit, anything else brings it back to the floor. */
  answered(success: boolean, durationMs: number): void {
    this.paceState = pacedAfter(this.paceState, success, durationMs, this.pace);
  }

  /**
   * Settles one attempt with the pure policy: the Retry-After rule, where the delivery goes next, the running
   * counters (a trip switches the webhook off here), and whether the owner keeps the item — a cycle retry, a
   * paused attempt, and under strict ordering anything not delivered (the head blocks) — or lets it go back to
   * the store. Returns the outcome as judged and the step, for the worker to record.
   */
  settle(
    item: QueuedItem,
    answered: AttemptOutcome,
    rules: { policy: RetryPolicy; throttle: ThrottleRule },
    now: number,
    newGuid: () => string,
  ): { outcome: AttemptOutcome; next: DeliveryStep } {
    const outcome = this.judge(answered, rules.throttle, now);
    const next = stepAfter(outcome, item, rules.policy, now, newGuid);
    const { consecutive, trips } = tallyAttempt(this.tally, this.consecutive, outcome, item.eventGuid, rules.policy);
    this.consecutive = consecutive;
    this.unrecorded++;
    const keep = next.kind !== 'delivered' && (next.kind === 'retry' || outcome.kind === 'throttled' || this.strict);
    if (keep && !trips && this.active) {
      if (next.kind === 'retry') item.cycleAttempt = next.cycleAttempt;
      if (next.kind === 'new-cycle') {
        item.cycleAttempt = 0;
        item.eventGuid = next.eventGuid;
      }
      if (next.kind === 'retry' || next.kind === 'new-cycle') item.attempts++;
      item.dueAt = next.dueAt;
      this.delayed.push(item);
      if (this.mark !== null) this.offMark.add(item.deliveryId);
    } else {
      this.release(item);
      this.offMark.delete(item.deliveryId);
      if (next.kind !== 'delivered') {
        this.nextDueAt = this.nextDueAt === null ? next.dueAt : Math.min(this.nextDueAt, next.dueAt);
        // Back in the store at a time that may lie before the mark: the next refill reads from the start.
        this.forgetMark();
      }
    }
    if (trips) {
      this.state = 'TooManyErrors';
      this.stop();
    }
    return { outcome, next };
  }

  /** The start of a pass: retries that fell due move up; the store may have more when woken or when its next one is due. */
  beginPass(now: number, woken: boolean): void {
    if (woken) {
      this.mayHaveMore = true;
      // Woken: something else may have changed its queue (a retry now, a recover), anywhere in due order.
      this.forgetMark();
    }
    this.promoteDue(now);
    if (this.nextDueAt !== null && this.nextDueAt <= now) {
      this.nextDueAt = null;
      this.mayHaveMore = true;
    }
  }

  /** Something of it falls due by `now`: a kept retry, or the store's next delivery. */
  hasDue(now: number): boolean {
    return this.delayed.some((item) => item.dueAt <= now) || (this.nextDueAt !== null && this.nextDueAt <= now);
  }

  /** A delivery of it was queued and left in the store (handed off, not taken): the next refill finds it. */
  leftInStore(): void {
    this.mayHaveMore = true;
    this.leftCount++;
  }

  /** The refill came back short: nothing more is due in the store until `at` (null: nothing queued). */
  noMoreUntil(at: number | null): void {
    // Deliveries left to the store after the refill read it (an ingestion between the exchange and its answer) are
    // still to be read: the next refill takes them, rather than leaving them until something else wakes the owner.
    this.mayHaveMore = this.leftCount !== this.leftAtRequest;
    this.nextDueAt = at;
    // It has read all that is due; what comes later starts a new read (a clock that stepped back cannot hide a row).
    this.forgetMark();
  }

  /** What its next refill asks for: room in the window, after the mark, leaving out what it holds (and `recording`). */
  refillRequest(recording: readonly number[]): RefillRequest {
    const want = Math.min(this.window - this.readyCount, this.bytesWant);
    this.forgottenAtRequest = this.forgotten;
    this.leftAtRequest = this.leftCount;
    const request: RefillRequest =
      this.strict || this.mark === null
        ? { webhookId: this.target.id, want, holding: [...this.held, ...recording], strict: this.strict }
        : { webhookId: this.target.id, want, holding: [...this.offMark, ...recording], strict: false, after: this.mark };
    if (this.byteBudget !== Number.POSITIVE_INFINITY) request.maxBytes = Math.max(0, this.byteBudget - this.heldBytes);
    return request;
  }

  /** The next refill reads its queue from the start, leaving out all it holds. */
  private forgetMark(): void {
    this.mark = null;
    this.offMark.clear();
    this.forgotten++;
  }

  /** The statistics changes since the last exchange, handed over (null: none), and a fresh tally begun. */
  takeTally(): Tally | null {
    if (this.tally.calls === 0 && this.tally.tripGuid === null) return null;
    const taken = this.tally;
    this.tally = emptyTally();
    return taken;
  }

  /** The exchange that carried `taken` failed: its counts go out with the next, before this pass's. */
  restoreTally(taken: Tally): void {
    this.tally = mergeTallies(taken, this.tally);
  }

  /** Retry now (the API's one-delivery retry): a retry the owner keeps for later falls due at once. */
  retryNow(deliveryId: number, now: number): void {
    const item = this.delayed.find((d) => d.deliveryId === deliveryId);
    if (item) item.dueAt = Math.min(item.dueAt, now);
  }

  /** One of its results was recorded by an exchange. */
  recorded(): void {
    if (this.unrecorded > 0) this.unrecorded--;
  }

  /** When this webhook could start its next attempt if it has one ready (for the worker's sleep), or null: now, or never by time. */
  get waitsUntil(): number | null {
    const at = Math.max(this.pausedUntil, this.nextSlotAt);
    return at > 0 ? at : null;
  }

  get active(): boolean {
    return this.state === 'Active' && !this.releasing;
  }

  /** Less than one in-flight limit left in the window while the store may hold more: a refill must go out before it runs dry. */
  get runningDry(): boolean {
    return this.mayHaveMore && this.readyCount < this.paceState.limit && this.bytesWant > 0;
  }

  get readyCount(): number {
    return this.readyItems.length - this.head;
  }

  /** A refill's items, in due order: added, and the mark moved to the last (what it held before may lie after it). */
  refilled(all: QueuedItem[], now: number): void {
    const items = this.withinBudget(all);
    const last = items[items.length - 1];
    // Forgotten while this refill was out (a delivery went back to the store meanwhile): the next one reads from the start.
    if (last !== undefined && !this.strict && this.forgotten === this.forgottenAtRequest) {
      if (this.mark === null) for (const id of this.held) this.offMark.add(id);
      this.mark = { dueAt: last.dueAt, id: last.deliveryId };
    }
    this.add(items, now);
  }

  /**
   * The first of a refill's items that fit the byte budget (always one when nothing is held, so a webhook with one
   * event larger than its budget still gets it sent). The rest stay in the store: the next refill reads them again.
   */
  private withinBudget(items: QueuedItem[]): QueuedItem[] {
    let largest = 0;
    let bytes = this.heldBytes;
    let fit = items.length;
    for (let i = 0; i < items.length; i++) {
      const size = eventBytes((items[i] as QueuedItem).event);
      largest = Math.max(largest, size);
      bytes += size;
      if (fit === items.length && bytes > this.byteBudget && (i > 0 || this.held.size > 0)) fit = i;
    }
    if (items.length > 0) this.eventSizeHint = Math.max(largest, Math.floor(this.eventSizeHint / 2));
    if (fit === items.length) return items;
    // Left to the store like an ingestion's: a refill that came back short must not end mayHaveMore for them.
    this.leftCount++;
    return items.slice(0, fit);
  }

  /** How many more events fit the byte budget, by what its events have taken so far (at least one when it holds none). */
  get bytesWant(): number {
    if (this.byteBudget === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
    const room = Math.floor((this.byteBudget - this.heldBytes) / this.eventSizeHint);
    return this.held.size === 0 ? Math.max(1, room) : Math.max(0, room);
  }

  /**
   * An event of `bytes` was queued for it (returned as it came): its next refill asks for no more than fit events
   * that large, so a window that saw only small events reads few of the large ones that follow, not a window of them.
   */
  sawEvent(bytes: number): number {
    if (bytes > this.eventSizeHint) this.eventSizeHint = bytes;
    return bytes;
  }

  /** Whether an event of `bytes` fits beside what it holds within `budget` (one always fits an owner that holds none). */
  fits(bytes: number, budget: number): boolean {
    return this.held.size === 0 || this.heldBytes + bytes <= budget;
  }

  /** A delivery handed off by the store's ingestion: it lies after any mark. */
  handedOff(item: QueuedItem, now: number): void {
    if (this.mark !== null) this.offMark.add(item.deliveryId);
    this.add([item], now);
  }

  /** Adds items (oldest first); ones already held are ignored, ones not due yet (a strict queue's head) wait. */
  private add(items: QueuedItem[], now: number): void {
    if (items.length > 0) this.lastWorkAt = now;
    for (const item of items) {
      if (this.held.has(item.deliveryId)) continue;
      this.held.add(item.deliveryId);
      this.heldBytes += eventBytes(item.event);
      if (item.dueAt > now) this.delayed.push(item);
      else this.readyItems.push(item);
    }
  }

  /** The next item to send, or undefined. */
  take(): QueuedItem | undefined {
    if (this.head >= this.readyItems.length) return undefined;
    const item = this.readyItems[this.head];
    this.readyItems[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.readyItems.length) {
      this.readyItems = this.readyItems.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Moves cycle retries that have fallen due to the front of the window. */
  promoteDue(now: number): void {
    if (!this.delayed.some((item) => item.dueAt <= now)) return;
    const due = this.delayed.filter((item) => item.dueAt <= now);
    this.delayed = this.delayed.filter((item) => item.dueAt > now);
    this.readyItems = [...due, ...this.readyItems.slice(this.head)];
    this.head = 0;
  }

  /** Stops sending: what waits in the window stays queued in the store for whoever owns it next. */
  stop(): void {
    this.forgetMark();
    for (const item of this.readyItems.slice(this.head)) if (item) this.release(item);
    for (const item of this.delayed) this.release(item);
    this.readyItems = [];
    this.head = 0;
    this.delayed = [];
    this.releasing = true;
  }

  /** An item leaves what it holds (delivered, back to the store, or let go when it stops). */
  private release(item: QueuedItem): void {
    if (this.held.delete(item.deliveryId)) this.heldBytes -= eventBytes(item.event);
  }

  /** Nothing in the window or in flight: once its results are recorded it can be given back. */
  get drained(): boolean {
    return this.inFlight === 0 && this.readyCount === 0 && this.delayed.length === 0 && this.held.size === 0;
  }

  /**
   * Give it back at the next exchange: drained, and switched off or with nothing more queued in the store — an idle
   * one only after `keepIdleMs` without work (0 on a shared store, where another process may take it; longer on
   * SQLite, so the next event is handed off to its owner instead of waiting for an exchange that takes it again).
   */
  releasable(now: number, keepIdleMs: number): boolean {
    if (!this.drained) return false;
    return !this.active || (!this.mayHaveMore && this.nextDueAt === null && now - this.lastWorkAt >= keepIdleMs);
  }
}
