/**
 * Whether traces are on and where they go, from the standard OTEL_* settings. Kept apart from tracing.ts so that a
 * hookd with tracing off never loads the OpenTelemetry SDK (hookd.ts imports tracing.ts only when this says on).
 */

/** The standard OTEL_* settings hookd reads (config/settings.ts). */
export interface TracingSettings {
  tracesExporter: string;
  otlpEndpoint: string;
  otlpTracesEndpoint: string;
  serviceName: string;
}

/** Where spans go, or null when tracing is off (the default). */
export function tracesUrl(s: TracingSettings): string | null {
  if (s.tracesExporter === 'none') return null;
  if (s.otlpTracesEndpoint !== '') return s.otlpTracesEndpoint;
  if (s.otlpEndpoint !== '') return `${s.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  // OTEL_TRACES_EXPORTER=otlp alone: the OTLP/HTTP default of the specification.
  return s.tracesExporter === 'otlp' ? 'http://localhost:4318/v1/traces' : null;
}
