/**
 * OpenTelemetry traces (issue 26), off by default. On when OTEL_TRACES_EXPORTER=otlp, or when it is unset and
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) names a collector; spans go out over OTLP/HTTP
 * (JSON) in batches. Off, nothing here is built: no hook is added to the API and the delivery observer is the metrics
 * object itself, so the hot path does not know tracing exists.
 *
 * Spans: `SignalEvent` (server) for each ingestion request, a child of the request's W3C `traceparent`, with its tenant,
 * event and status; `delivery attempt` (client) for each attempt, with webhook, tenant, event, retry, outcome, stage
 * and status, written when the attempt settles (its start is its end less its duration).
 */
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, defaultTextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventRecord } from '../domain/payload.js';
import type { AttemptOutcome } from '../domain/retry-policy.js';
import type { DeliveryObserver } from '../metrics/metrics.js';
import { type TracingSettings, tracesUrl } from './traces-url.js';

/** The routes that take events in (REST and the Webhook agent's RPC). */
function isIngestion(url: string | undefined): boolean {
  return (
    url !== undefined && (url.endsWith('/Webhook/:eventName/:primaryKey') || url.endsWith('/Webhook/Events') || url.includes('SignalEvent'))
  );
}

export class Tracing {
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly spans = new WeakMap<FastifyRequest, Span>();

  private constructor(private readonly provider: BasicTracerProvider) {
    this.tracer = provider.getTracer('hookd');
  }

  /** Tracing as the settings say, or null when it is off. */
  static start(settings: TracingSettings, version: string): Tracing | null {
    const url = tracesUrl(settings);
    if (url === null) return null;
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': version }),
      // Batches of up to 512 spans, sent every second: one POST per second at any delivery rate.
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
    });
    return new Tracing(provider);
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

  /** `inner` (the metrics) told of every attempt as before, and a span written for each. */
  observer(inner: DeliveryObserver): DeliveryObserver {
    return {
      attempted: (a) => {
        inner.attempted(a);
        this.attemptSpan(a.webhookId, a.outcome, a.durationMs, a.event, a.retry);
      },
      storeFailed: () => inner.storeFailed(),
    };
  }

  private attemptSpan(
    webhookId: number,
    outcome: AttemptOutcome,
    durationMs: number,
    event: EventRecord | undefined,
    retry: number | undefined,
  ): void {
    const end = Date.now();
    const span = this.tracer.startSpan('delivery attempt', {
      kind: SpanKind.CLIENT,
      startTime: end - durationMs,
      attributes: {
        'hookd.webhook.id': webhookId,
        'hookd.outcome': outcome.kind,
        ...(outcome.status !== null ? { 'http.response.status_code': outcome.status } : {}),
        ...('stage' in outcome ? { 'hookd.stage': outcome.stage } : {}),
        ...(event ? { 'hookd.tenant': event.contextIdentifier, 'hookd.event': event.name, 'hookd.primary_key': event.primaryKey } : {}),
        ...(retry !== undefined ? { 'hookd.retry': retry } : {}),
      },
    });
    if (outcome.kind !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: 'error' in outcome ? outcome.error : undefined });
    span.end(end);
  }

  /** Sends what is buffered and stops. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
