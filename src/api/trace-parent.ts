/**
 * The traceparent a SignalEvent request's events are stored with: the ingestion span's when tracing is on (set by
 * tracing/tracing.ts before the route runs, so the delivery's spans become its children), else the request's own
 * `traceparent` header when it is a valid W3C one — kept with tracing off too: a caller's trace id is worth keeping.
 */
import type { FastifyRequest } from 'fastify';
import { validTraceParent } from '../domain/trace-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The SignalEvent span's traceparent (tracing on only). */
    ingestionTraceParent?: string;
  }
}

/** A valid traceparent for this request's events, or null. */
export function requestTraceParent(req: FastifyRequest): string | null {
  return req.ingestionTraceParent ?? validTraceParent(req.headers.traceparent);
}
