/** Turns domain objects into the carriers the API sends. */
import type { FastifyRequest } from 'fastify';
import { webhookCarrier } from '../domain/carrier.js';
import { applySelect, parseSelect } from '../domain/select.js';
import { traceIdOf } from '../domain/trace-context.js';
import type { Webhook } from '../domain/webhook.js';
import { panelStatus, type WebhookUsage } from '../domain/webhook-usage.js';
import type { WebhookService } from '../services/webhook-service.js';
import type { DeliveryView } from '../domain/delivery-view.js';
import { apiBase, queryParam } from './request-context.js';

export async function webhookWithLinks(req: FastifyRequest, service: WebhookService, webhook: Webhook): Promise<Record<string, unknown>> {
  const carrier = await service.carrier(webhook, req.caller);
  const base = apiBase(req);
  const withLinks = { ...carrier, _Links: { Self: `${base}/Webhook/${webhook.id}`, Archive: `${base}/Webhook` } };
  return applySelect(withLinks, parseSelect(queryParam(req, '$select')));
}

export async function webhookPlain(req: FastifyRequest, service: WebhookService, webhook: Webhook): Promise<Record<string, unknown>> {
  return applySelect(await service.carrier(webhook, req.caller), parseSelect(queryParam(req, '$select')));
}

export async function webhookList(
  req: FastifyRequest,
  service: WebhookService,
  webhooks: Webhook[],
): Promise<Array<Record<string, unknown>>> {
  const associates = await service.associatesOf(webhooks);
  return webhooks.map((w) => webhookCarrier(w, associates, service.rights(req.caller, w)));
}

export function deliveryCarrier(d: DeliveryView, format: (ms: number) => string): Record<string, unknown> {
  return {
    DeliveryId: d.deliveryId,
    WebhookId: d.webhookId,
    Event: d.event,
    PrimaryKey: d.primaryKey,
    EventId: d.eventGuid,
    // The trace the event was signalled in (W3C trace id), to find the delivery in the operator's tracing system.
    TraceId: traceIdOf(d.record.traceParent),
    Status: d.status,
    Created: format(d.created),
    Finished: d.finished === null ? null : format(d.finished),
    DueAt: d.dueAt === null ? null : format(d.dueAt),
    Attempts: d.attempts.map((a) => ({
      AttemptId: a.attemptId,
      EventId: a.eventGuid,
      Retry: a.retry,
      Started: format(a.started),
      DurationMs: a.durationMs,
      StatusCode: a.statusCode,
      Outcome: a.outcome,
      Stage: a.stage,
      Error: a.error,
    })),
    ...(d.request ? { Request: { Headers: d.request.headers, Body: d.request.body } } : {}),
  };
}

/** A webhook's Usage (GetAllWebhooks `?Usage=true`): 12.1's list columns and hookd's pause and wait states. */
export function usageCarrier(w: Webhook, u: WebhookUsage, format: (ms: number) => string): Record<string, unknown> {
  return {
    Status: panelStatus(w.state, u.failures24h),
    LastDelivery: u.lastDelivery === null ? null : format(u.lastDelivery),
    LastOutcome: u.lastOutcome,
    LastStatusCode: u.lastStatusCode,
    LastStage: u.lastStage,
    Failures24h: u.failures24h,
    ConsecutiveErrors: u.consecutiveErrors,
    DisableAfter: u.disableAfter,
    PausedUntil: u.pausedUntil === null ? null : format(u.pausedUntil),
    WaitingFor: u.waitingFor === null ? null : { DeliveryId: u.waitingFor.deliveryId, EventId: u.waitingFor.eventGuid },
  };
}
