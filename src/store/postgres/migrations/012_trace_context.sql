-- Traces (issue 26): the W3C traceparent a SignalEvent request carried (or its ingestion span's, tracing on), kept
-- with the event so the delivery log shows its trace id and the delivery's spans join the caller's trace; null: none.
-- And hookd's extension SendTraceContext: the webhook's deliveries carry a traceparent (0: NetServer's headers only).
ALTER TABLE events ADD COLUMN trace_parent text;
ALTER TABLE webhooks ADD COLUMN send_trace_context integer NOT NULL DEFAULT 0;
