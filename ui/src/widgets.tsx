/** Small shared pieces: the status badge, the success rate, an error line, an attempts chart. */
import { type PanelStatus, panelStatus } from '../../src/domain/webhook-usage.js';
import type { Bucket, Usage, Webhook } from './api.js';

const STATUS_LABEL: Record<PanelStatus, string> = {
  Active: 'Active',
  ActiveWithFailures: 'Active with failures',
  Stopped: 'Stopped',
  Disabled: 'Disabled',
};

/** 12.1's badge: Active (green), Active with failures (amber), Stopped (grey), Disabled (red, TooManyErrors). */
export function PanelBadge({ w }: { w: Webhook }) {
  const status = (w.Usage?.Status as PanelStatus | undefined) ?? panelStatus(w.State, 0);
  return <span class={`badge s-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

/** A UTC timestamp of the API ("2026-01-05T09:00:01.0000000Z") as "2026-01-05 09:00:01 UTC". */
export function Timestamp({ value }: { value: string | null }) {
  if (value === null) return <span class="hint">never</span>;
  const shown = value.endsWith('Z') ? `${value.slice(0, 19).replace('T', ' ')} UTC` : value.slice(0, 19).replace('T', ' ');
  return <time dateTime={value}>{shown}</time>;
}

/** What the newest attempt came to: its HTTP status, or where it failed. */
export function lastResultText(u: Usage | undefined): string | null {
  if (!u || u.LastOutcome === null) return null;
  const code = u.LastStatusCode === null ? null : String(u.LastStatusCode);
  switch (u.LastOutcome) {
    case 'success':
      return `${code ?? ''} OK`.trim();
    case 'throttled':
      return `${code ?? ''} paused`.trim();
    case 'gone':
      return `${code ?? '410'} gone`;
    case 'fault':
      return `hookd's fault (${u.LastStage ?? 'unknown'})`;
    default:
      return code !== null ? `${code} failed` : `failed: ${u.LastStage ?? 'error'}`;
  }
}

export function LastResult({ usage }: { usage: Usage | undefined }) {
  const text = lastResultText(usage);
  if (text === null) return <span class="hint">—</span>;
  return <span class={usage?.LastOutcome === 'success' ? 'result-ok' : 'result-bad'}>{text}</span>;
}

/**
 * Under the badge: failures in a row toward disabling ("7/9"), and past 12.1 a Retry-After pause or a strict queue
 * waiting behind a failing event.
 */
export function StatusNotes({ w }: { w: Webhook }) {
  const u = w.Usage;
  if (!u) return null;
  return (
    <>
      {w.State !== 'TooManyErrors' && u.ConsecutiveErrors > 0 && (
        <span class="status-note" data-in-a-row>
          {u.ConsecutiveErrors}/{u.DisableAfter} failures in a row
        </span>
      )}
      {u.PausedUntil !== null && (
        <span class="status-note" data-paused>
          paused by Retry-After until <Timestamp value={u.PausedUntil} />
        </span>
      )}
      {u.WaitingFor !== null && (
        <span class="status-note" data-waiting>
          waiting behind a failing event (Strict): delivery {u.WaitingFor.DeliveryId}
        </span>
      )}
    </>
  );
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

export type { Bucket };

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
