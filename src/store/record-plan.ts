/**
 * What recording a batch of attempts changes, decided without I/O: every store loads the deliveries and
 * webhooks concerned (locked), asks for this plan, and writes it in the same transaction. Attempts are
 * applied in order, so counters and the switch to TooManyErrors are exact within and across batches.
 */
import { nextStepAfterFailure, statsAfterAttempt } from '../domain/retry-policy.js';
import type { Webhook } from '../domain/webhook.js';
import type { AttemptResult, RecordContext } from './store.js';

export interface QueuedDelivery {
  id: number;
  webhookId: number;
  cycleAttempt: number;
  attempts: number;
}

export interface AttemptRow {
  deliveryId: number;
  webhookId: number;
  eventGuid: string;
  retry: number;
  started: number;
  durationMs: number;
  statusCode: number | null;
  outcome: string;
  error: string | null;
}

export interface RecordPlan {
  attempts: AttemptRow[];
  delivered: number[];
  retries: Array<{ id: number; dueAt: number; cycleAttempt: number }>;
  newCycles: Array<{ id: number; dueAt: number; eventGuid: string }>;
  /** Webhooks with their counters (and maybe state) after the batch. */
  webhooks: Webhook[];
  /** Webhooks this batch switched to TooManyErrors, with the EventId of the attempt that did it. */
  switchedOff: Array<{ webhook: Webhook; eventGuid: string }>;
}

export function planRecord(
  results: AttemptResult[],
  deliveries: ReadonlyMap<number, QueuedDelivery>,
  webhooksById: ReadonlyMap<number, Webhook>,
  ctx: RecordContext,
): RecordPlan {
  const plan: RecordPlan = { attempts: [], delivered: [], retries: [], newCycles: [], webhooks: [], switchedOff: [] };
  const webhooks = new Map(webhooksById);
  const touched = new Set<number>();
  for (const r of results) {
    const d = deliveries.get(r.deliveryId);
    if (!d) continue; // deleted with its webhook, or recorded already
    plan.attempts.push({
      deliveryId: d.id,
      webhookId: d.webhookId,
      eventGuid: r.eventGuid,
      retry: d.attempts,
      started: r.startedAt,
      durationMs: r.durationMs,
      statusCode: r.outcome.status,
      outcome: r.outcome.kind,
      error: r.outcome.kind === 'success' ? null : r.outcome.error,
    });
    const webhook = webhooks.get(d.webhookId);
    if (webhook) {
      const after = statsAfterAttempt(webhook, webhook.state, r.outcome, ctx.policy);
      const next = { ...webhook, ...after.stats, state: after.state };
      webhooks.set(d.webhookId, next);
      touched.add(d.webhookId);
      if (after.becameTooManyErrors) plan.switchedOff.push({ webhook: next, eventGuid: r.eventGuid });
    }
    if (r.outcome.kind === 'success') plan.delivered.push(d.id);
    else {
      const step = nextStepAfterFailure({ cycleAttempt: d.cycleAttempt }, ctx.policy, ctx.now);
      if (step.kind === 'retry-in-cycle') plan.retries.push({ id: d.id, dueAt: step.dueAt, cycleAttempt: step.cycleAttempt });
      else plan.newCycles.push({ id: d.id, dueAt: step.dueAt, eventGuid: ctx.newGuid() });
    }
  }
  plan.webhooks = [...touched].map((id) => webhooks.get(id) as Webhook);
  return plan;
}
