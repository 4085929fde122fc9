/**
 * The webhooks one worker owns, and what it asks the store for them: the owned-webhooks part of an exchange
 * (versions, counter deltas, releases, refills), the answer applied to the owners, the deliveries the store
 * hands over, and the give-back of a surplus. The worker decides when to exchange and what to send.
 */
import type { InFlightPace } from '../domain/in-flight-pace.js';
import { counterDelta, type Tally } from '../domain/settlement.js';
import { eventBytes } from '../domain/stored-event.js';
import {
  deliveryIdsByWebhook,
  type ExchangeRequest,
  type ExchangeResult,
  type QueuedItem,
  type SettledAttempt,
} from '../store/delivery-queue.js';
import { ASSUMED_EVENT_BYTES, OwnedWebhook } from './owned-webhook.js';

/** The owned webhooks' part of an exchange request, and the tallies it carries (given back if the exchange fails). */
export type OwnersPlan = Pick<ExchangeRequest, 'owned' | 'counters' | 'release' | 'refill'> & { tallies: Map<number, Tally> };

/**
 * Handed-off deliveries the owners together may hold beyond their windows (each a share of it), so that a burst is
 * sent from memory instead of being read back by refills (~3 µs a delivery of reading the event's columns, issue 22's
 * profile). A held item is ~0.7 KB with its event: ~11 MB at most. Only a webhook whose last attempt succeeded takes
 * more than its window: a failing one would keep its retries in memory.
 */
const HAND_OFF_ITEMS = 16_384;
/**
 * The same room in bytes (eventBytes): 16,384 small events are ~11 MB, so this binds only when events are large. Events
 * of up to the 1 MiB body limit, counted in items alone, filled the room with ~16 GB: a slow receiver that kept
 * answering 200 took the process down (out of memory after ~4,900 events of 900 KB, test/delivery/held-bytes.test.ts).
 */
const HAND_OFF_BYTES = 32 * 1024 * 1024;
/**
 * What the owners' windows may hold together in bytes, shared evenly: each between 1 MiB and 16 MiB, and always one
 * event, however large, when it holds none. A window of small events (256 of ~0.7 KB) never comes near it.
 */
const WINDOW_BYTES = 64 * 1024 * 1024;
const WINDOW_BYTES_EACH = { min: 1024 * 1024, max: 16 * 1024 * 1024 };

/** An owner's share of WINDOW_BYTES when there are `owners`. */
function bytesEach(owners: number): number {
  return Math.min(WINDOW_BYTES_EACH.max, Math.max(WINDOW_BYTES_EACH.min, Math.floor(WINDOW_BYTES / Math.max(1, owners))));
}

export class Owners {
  private readonly map = new Map<number, OwnedWebhook>();

  constructor(
    /** Each webhook's in-flight floor and ceiling: its window follows its limit. */
    private readonly pace: InFlightPace,
    /** How long an idle webhook stays owned (0 on a shared store: another process may take it). */
    private readonly keepIdleMs: number,
  ) {}

  /** The window a webhook starts with (four in-flight floors): what a take asks for. */
  get window(): number {
    return Math.max(32, 4 * this.pace.floor);
  }

  get size(): number {
    return this.map.size;
  }

  get(id: number): OwnedWebhook | undefined {
    return this.map.get(id);
  }

  has(id: number): boolean {
    return this.map.has(id);
  }

  values(): IterableIterator<OwnedWebhook> {
    return this.map.values();
  }

  /** The store may hold more of its due deliveries than its window has, the window is half empty, and one more fits its bytes. */
  wantsRefill(w: OwnedWebhook): boolean {
    return w.mayHaveMore && w.readyCount < w.window / 2 && w.bytesWant > 0;
  }

  /**
   * What a take of `acquire` more webhooks reads of each: its byte room (the share each would have then) and as many
   * as that room holds of ASSUMED_EVENT_BYTES, at most the starting window (a take of 256 webhooks reads 4 of each).
   */
  takeRoom(acquire: number): { want: number; maxBytes: number } {
    const maxBytes = bytesEach(this.map.size + acquire);
    return { want: Math.max(1, Math.min(this.window, Math.floor(maxBytes / ASSUMED_EVENT_BYTES))), maxBytes };
  }

  /** Some owner must meet the store: to be given back, or to refill its window. */
  needStore(now: number): boolean {
    for (const w of this.map.values()) if (w.releasable(now, this.keepIdleMs) || (w.active && this.wantsRefill(w))) return true;
    return false;
  }

  /** The owners' part of the next exchange; `recording` holds the results it records, so no refill hands them out again. */
  plan(now: number, recording: readonly SettledAttempt[]): OwnersPlan {
    const byWebhook = deliveryIdsByWebhook(recording);
    const plan: OwnersPlan = { owned: [], counters: [], release: [], refill: [], tallies: new Map() };
    for (const [id, w] of this.map) {
      plan.owned.push({ webhookId: id, version: w.version });
      const tally = w.takeTally();
      if (tally) {
        plan.tallies.set(id, tally);
        plan.counters.push(counterDelta(id, tally));
      }
      if (w.releasable(now, this.keepIdleMs)) plan.release.push(id);
      else if (w.active && this.wantsRefill(w)) plan.refill.push(w.refillRequest(byWebhook.get(id) ?? []));
    }
    return plan;
  }

  /** The exchange that carried `plan` failed: its counts go out with the next. */
  restore(plan: OwnersPlan): void {
    for (const [id, t] of plan.tallies) this.map.get(id)?.restoreTally(t);
  }

  /** The store's answer: releases and losses, webhooks taken or changed, refilled windows, when more falls due. */
  apply(release: readonly number[], result: ExchangeResult, now: number): void {
    for (const id of release) this.map.delete(id);
    for (const id of result.lost) {
      this.map.get(id)?.stop();
      this.map.delete(id);
    }
    for (const row of result.webhooks) {
      const w = this.map.get(row.id);
      if (w) w.update(row);
      else if (row.state === 'Active') this.map.set(row.id, new OwnedWebhook(row, this.pace));
    }
    // Shares change as webhooks come and go, before this answer's refills are kept within them.
    const budget = bytesEach(this.map.size);
    for (const w of this.map.values()) w.byteBudget = budget;
    const got = new Map<number, QueuedItem[]>();
    for (const item of result.deliveries) {
      const list = got.get(item.webhookId);
      if (list) list.push(item);
      else got.set(item.webhookId, [item]);
    }
    for (const [id, items] of got) {
      const w = this.map.get(id);
      if (w?.active) w.refilled(items, now);
    }
    for (const { webhookId, at } of result.nextDue) this.map.get(webhookId)?.noMoreUntil(at);
  }

  /**
   * Deliveries the store just queued. An owner that has nothing else waiting in the store takes them into its
   * window, up to its share of HAND_OFF_ITEMS if it is healthy; anything it cannot take — a webhook with a backlog
   * (its order comes from the store), a strict one, a full window — is left to the store and the owner refills.
   * Returns whether any went to a webhook not owned here (a take must find it), whether an owner that had some left
   * to its refill is running dry (its window below its limit: the refill is due now), and whether any was taken.
   */
  offer(items: readonly QueuedItem[], now: number): { unowned: boolean; dry: boolean; taken: boolean } {
    let unowned = false;
    let dry = false;
    let taken = false;
    let w: OwnedWebhook | undefined;
    let lastId = -1;
    let room = 0;
    let roomBytes = 0;
    const share = Math.floor(HAND_OFF_ITEMS / Math.max(1, this.map.size));
    const shareBytes = Math.floor(HAND_OFF_BYTES / Math.max(1, this.map.size));
    for (const item of items) {
      if (item.webhookId !== lastId) {
        lastId = item.webhookId;
        w = this.map.get(lastId);
        const healthy = w !== undefined && w.consecutive === 0;
        room = w === undefined ? 0 : healthy ? Math.max(w.window, share) : w.window;
        roomBytes = w === undefined ? 0 : healthy ? Math.max(w.byteBudget, shareBytes) : w.byteBudget;
      }
      if (w === undefined || !w.active) {
        unowned = true;
        continue;
      }
      // Seen whether taken or not: a webhook behind on small events must not read a window of these large ones.
      const bytes = w.sawEvent(eventBytes(item.event));
      if (w.strict || w.mayHaveMore || w.held.size >= room || !w.fits(bytes, roomBytes)) {
        w.leftInStore();
        dry ||= w.runningDry;
      } else {
        w.handedOff(item, now);
        taken = true;
      }
    }
    return { unowned, dry, taken };
  }

  /** Keeps about `share` webhooks, giving back the ones with least in flight (a process joined a shared store). */
  giveBackSurplus(share: number): void {
    const surplus = this.map.size - (share + 1);
    if (surplus <= 0) return;
    const byLoad = [...this.map.values()].filter((w) => w.active).sort((a, b) => a.inFlight - b.inFlight);
    for (const w of byLoad.slice(0, surplus)) w.stop();
  }

  /** When something of an owner falls due next (a cycle retry, a stored delivery, a rate limit's slot), from `next` down. */
  nextWake(now: number, next: number): number {
    for (const w of this.map.values()) {
      for (const item of w.delayed) next = Math.min(next, item.dueAt);
      if (w.nextDueAt !== null) next = Math.min(next, w.nextDueAt);
      // A rate limit's next slot or the end of a pause, when something waits for it.
      const until = w.readyCount > 0 ? w.waitsUntil : null;
      if (until !== null && until > now) next = Math.min(next, until);
    }
    return next;
  }
}
