/** Small shared pieces: the state badge, the success rate, an error line, an attempts chart. */
import type { Webhook } from './api.js';

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge ${state}`}>{state}</span>;
}

export function successRate(w: Pick<Webhook, 'TotalCalls' | 'TotalErrors'>): string {
  if (w.TotalCalls === 0) return '—';
  return `${Math.round(((w.TotalCalls - w.TotalErrors) / w.TotalCalls) * 1000) / 10}%`;
}

export function ErrorLine({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p class="notice bad" role="alert">
      {error}
    </p>
  );
}

export interface Bucket {
  Start: string;
  Attempts: number;
  Successes: number;
  Failures: number;
  P95Ms: number | null;
}

/** Attempts (bars) and failures (red part) per bucket, as an SVG with a text description for screen readers. */
export function AttemptsChart({ buckets }: { buckets: Bucket[] }) {
  const width = 600;
  const height = 160;
  const max = Math.max(1, ...buckets.map((b) => b.Attempts));
  const barWidth = width / Math.max(1, buckets.length);
  const total = buckets.reduce((n, b) => n + b.Attempts, 0);
  const failed = buckets.reduce((n, b) => n + b.Failures, 0);
  const p95 = Math.max(0, ...buckets.map((b) => b.P95Ms ?? 0));
  // p95 attempt duration per bucket, as a line over the bars (its own scale: the slowest bucket at the top).
  const line = buckets
    .map((b, i) => (b.P95Ms === null ? null : `${i * barWidth + barWidth / 2},${height - (b.P95Ms / Math.max(1, p95)) * (height - 10)}`))
    .filter((point) => point !== null)
    .join(' ');
  return (
    <figure style="margin:0">
      <svg
        class="chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Attempts per bucket: ${total} attempts, ${failed} failed`}
      >
        {buckets.map((b, i) => {
          const h = (b.Attempts / max) * (height - 10);
          const f = (b.Failures / max) * (height - 10);
          return (
            <g key={b.Start}>
              <rect x={i * barWidth + 1} y={height - h} width={Math.max(1, barWidth - 2)} height={h} fill="#0b57a4" />
              <rect x={i * barWidth + 1} y={height - f} width={Math.max(1, barWidth - 2)} height={f} fill="#a1121b" />
            </g>
          );
        })}
        {line !== '' && <polyline points={line} fill="none" stroke="#8a4b00" stroke-width="2" />}
      </svg>
      <figcaption class="hint">
        {total} attempts (blue), {failed} failed (red); the brown line is each hour's p95 attempt time, the slowest {p95} ms.
      </figcaption>
    </figure>
  );
}
