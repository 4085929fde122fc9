/**
 * OpenTelemetry traces (issue 26), off by default. On when OTEL_TRACES_EXPORTER=otlp, or when it is unset and
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) names a collector; spans go out over OTLP/HTTP
 * (JSON) in batches. Off, nothing here is built: no hook is added to the API and the delivery observer is the metrics
 * object itself, so the hot path does not know tracing exists.
 *
 * Spans: `SignalEvent` (server) for each ingestion request, a child of the request's W3C `traceparent`, with its tenant,
 * event and status — its context is stored with the request's events (api/trace-parent.ts); `delivery` (internal)
 * for each delivery, a child of that stored context, from the event's arrival until it is delivered; `delivery
 * attempt` (client) for each attempt, a child of its delivery, with webhook, tenant, event, retry, outcome, stage and
 * status, written when the attempt settles (its start is its end less its duration).
 *
 * Nothing is kept between attempts: a delivery's span id is derived from the delivery (and an attempt's from its EventId
 * and Retry: domain/trace-context.ts), so every attempt, in any process, names the same parent, and the delivery span
 * written at the end gets that id. The ids are handed to the SDK through its IdGenerator (PresetIds), which startSpan
 * asks synchronously.
 */
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  defaultTextMapGetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventRecord } from '../domain/payload.js';
import { attemptSpanId, deliverySpanId, derivedSpanId, flagsOf, parentIdOf, traceIdOf } from '../domain/trace-context.js';
import type { DeliveryObserver } from '../metrics/metrics.js';
import { type TracingSettings, tracesUrl } from './traces-url.js';

/** The routes that take events in (REST and the Webhook agent's RPC). */
function isIngestion(url: string | undefined): boolean {
  return (
    url !== undefined && (url.endsWith('/Webhook/:eventName/:primaryKey') || url.endsWith('/Webhook/Events') || url.includes('SignalEvent'))
  );
}

/** Random ids, unless the next span's ids were set: the span ids hookd derives (see the top of this file). */
class PresetIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  nextSpanId: string | null = null;
  nextTraceId: string | null = null;

  generateTraceId(): string {
    const id = this.nextTraceId ?? this.random.generateTraceId();
    this.nextTraceId = null;
    return id;
  }

  generateSpanId(): string {
    const id = this.nextSpanId ?? this.random.generateSpanId();
    this.nextSpanId = null;
    return id;
  }
}

/** What the observer hears of one attempt (metrics.ts's DeliveryObserver). */
type Attempted = Parameters<DeliveryObserver['attempted']>[0];

/** The stored traceparent's trace as a parent context (remote: it came from the caller or from ingestion). */
function storedContext(traceParent: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceIdOf(traceParent) as string,
    spanId: parentIdOf(traceParent),
    traceFlags: Number.parseInt(flagsOf(traceParent), 16),
    isRemote: true,
  });
}

export class Tracing {
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly spans = new WeakMap<FastifyRequest, Span>();

  private constructor(
    private readonly provider: BasicTracerProvider,
    private readonly ids: PresetIds,
  ) {
    this.tracer = provider.getTracer('hookd');
  }

  /** Tracing as the settings say, or null when it is off. */
  static start(settings: TracingSettings, version: string): Tracing | null {
    const url = tracesUrl(settings);
    if (url === null) return null;
    const ids = new PresetIds();
    const provider = new BasicTracerProvider({
      idGenerator: ids,
      resource: resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': version }),
      // Batches of up to 512 spans, sent every second: one POST per second at any delivery rate.
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
    });
    return new Tracing(provider, ids);
  }

  /** Adds the ingestion span to the API (called before its routes are added). */
  instrument(app: FastifyInstance): void {
    app.addHook('onRequest', async (req) => {
      if (!isIngestion(req.routeOptions.url)) return;
      const parent = this.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const params = req.params as { eventName?: string; tenant?: string };
      const span = this.tracer.startSpan(
        'SignalEvent',
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': req.method,
            'http.route': req.routeOptions.url ?? '',
            ...(params.eventName ? { 'hookd.event': params.eventName } : {}),
          },
        },
        parent,
      );
      this.spans.set(req, span);
      // The events of this request are stored in the SignalEvent span's context: their deliveries become its children.
      const c = span.spanContext();
      (req as FastifyRequest & { ingestionTraceParent?: string }).ingestionTraceParent =
        `00-${c.traceId}-${c.spanId}-${c.traceFlags.toString(16).padStart(2, '0')}`;
    });
    app.addHook('onResponse', async (req, reply) => {
      const span = this.spans.get(req);
      if (!span) return;
      const caller = (req as FastifyRequest & { caller?: { tenant?: { identifier?: string } } }).caller;
      if (caller?.tenant?.identifier) span.setAttribute('hookd.tenant', caller.tenant.identifier);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
  }

  /** `inner` (the metrics) told of every attempt as before, and a span written for each (and for a delivery that ended). */
  observer(inner: DeliveryObserver): DeliveryObserver {
    return {
      attempted: (a) => {
        inner.attempted(a);
        const end = Date.now();
        const delivery = this.deliveryOf(a);
        this.attemptSpan(a, end, delivery);
        // Delivered is the only end: a failing delivery goes on in new retry cycles (decisions.md), never given up.
        if (delivery && a.outcome.kind === 'success') this.deliverySpan(a, end, delivery);
      },
      storeFailed: () => inner.storeFailed(),
    };
  }

  /**
   * The delivery an attempt belongs to: its span's context (a child of the stored traceparent) and ids. An event
   * stored without a trace (signalled in process, or before migration 012) gets one derived from the delivery, so its
   * attempts still share a trace with their delivery span.
   */
  private deliveryOf(a: Attempted): { context: Context; parent: Context; spanId: string; traceId: string | null } | null {
    if (a.deliveryId === undefined || a.event === undefined) return null;
    const stored = a.event.traceParent ?? null;
    const key = stored ?? `root ${a.deliveryId} ${a.event.timestamp}`;
    const spanId = deliverySpanId(a.deliveryId, key);
    const traceId = stored === null ? derivedSpanId(`trace 1 ${key}`) + derivedSpanId(`trace 2 ${key}`) : (traceIdOf(stored) as string);
    const sampled = stored === null ? 1 : Number.parseInt(flagsOf(stored), 16);
    return {
      context: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: sampled, isRemote: true }),
      parent: stored === null ? ROOT_CONTEXT : storedContext(stored),
      spanId,
      traceId: stored === null ? traceId : null,
    };
  }

  private attemptSpan(a: Attempted, end: number, delivery: { context: Context } | null): void {
    const { outcome, event } = a;
    if (a.eventGuid !== undefined && a.retry !== undefined) this.ids.nextSpanId = attemptSpanId(a.eventGuid, a.retry);
    const span = this.tracer.startSpan(
      'delivery attempt',
      {
        kind: SpanKind.CLIENT,
        startTime: end - a.durationMs,
        attributes: {
          'hookd.webhook.id': a.webhookId,
          'hookd.outcome': outcome.kind,
          ...(outcome.status !== null ? { 'http.response.status_code': outcome.status } : {}),
          ...('stage' in outcome ? { 'hookd.stage': outcome.stage } : {}),
          ...(event ? { 'hookd.tenant': event.contextIdentifier, 'hookd.event': event.name, 'hookd.primary_key': event.primaryKey } : {}),
          ...(a.retry !== undefined ? { 'hookd.retry': a.retry } : {}),
        },
      },
      delivery?.context ?? ROOT_CONTEXT,
    );
    this.ids.nextSpanId = null;
    if (outcome.kind !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: 'error' in outcome ? outcome.error : undefined });
    span.end(end);
  }

  /** The delivery's span, written once it is delivered: from the event's arrival to now, with the id its attempts named. */
  private deliverySpan(a: Attempted, end: number, delivery: { parent: Context; spanId: string; traceId: string | null }): void {
    const event = a.event as EventRecord;
    this.ids.nextSpanId = delivery.spanId;
    this.ids.nextTraceId = delivery.traceId;
    const arrived = Date.parse(event.timestamp);
    const span = this.tracer.startSpan(
      'delivery',
      {
        kind: SpanKind.INTERNAL,
        startTime: Number.isNaN(arrived) ? end : Math.min(arrived, end),
        attributes: {
          'hookd.webhook.id': a.webhookId,
          'hookd.tenant': event.contextIdentifier,
          'hookd.event': event.name,
          'hookd.primary_key': event.primaryKey,
          'hookd.delivery.id': a.deliveryId as number,
          'hookd.outcome': 'delivered',
          // Attempts made before the delivering one.
          'hookd.retry': a.retry ?? 0,
        },
      },
      delivery.parent,
    );
    this.ids.nextSpanId = null;
    this.ids.nextTraceId = null;
    span.end(end);
  }

  /** Sends what is buffered and stops. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
