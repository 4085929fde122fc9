/**
 * Recovering a stretch of the delivery log (after a receiver's outage): which deliveries are sent again.
 * Recover copies, never moves: each chosen delivery is sent again as a new delivery with a new EventId, as
 * the one-delivery retry does for a finished one. Deliveries still queued are hookd's to finish (it keeps
 * and retries them until they are delivered), so they are never copied: that would send them twice.
 *
 * What one recover sends (README "Recover"): each delivery of an event to a webhook in the stretch at most
 * once. A copy (made by an earlier recover or by the one-delivery retry) is never chosen itself: its original
 * stands for it, so two recovers of a stretch send it twice, not 1 + 2 + 4… times. And a job sends what was
 * delivered when it was asked — what its count (Total) counted — never deliveries finished after that (its own
 * or another job's copies among them), so Done never passes Total.
 */
import { type FieldError, invalidFields } from './errors.js';
import { pick } from './webhook-input.js';
import { parseInstant } from './stats.js';

export type RecoverStatus = 'Failed' | 'All';

export interface RecoverCriteria {
  /** Deliveries created at or after this instant… */
  since: number;
  /** …and before this one. */
  until: number;
  /** `Failed`: delivered only after one or more failed attempts (the ones an outage touched); `All`: every delivered one. */
  status: RecoverStatus;
  /** Only deliveries of these event names (null: all). */
  events: string[] | null;
}

/** Reads `{Since, Until?, Status?, Events?}`; throws a 400 naming every property at fault. */
export function readRecoverRequest(raw: unknown, now: number): RecoverCriteria {
  const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const errors: FieldError[] = [];
  const instant = (name: string, fallback: number | null): number => {
    const v = pick(body, name);
    if (v === undefined || v === null || v === '') {
      if (fallback === null) errors.push({ property: name, rule: "is required: a date-time, or a span before now such as '2h'" });
      return fallback ?? 0;
    }
    const at = typeof v === 'string' ? parseInstant(v, now) : null;
    if (at === null) errors.push({ property: name, rule: "must be a date-time, or a span before now such as '2h'" });
    return at ?? 0;
  };
  const since = instant('Since', null);
  const until = instant('Until', now);
  if (errors.length === 0 && until <= since) errors.push({ property: 'Until', rule: 'must be later than Since' });
  const statusRaw = pick(body, 'Status');
  let status: RecoverStatus = 'Failed';
  if (statusRaw !== undefined && statusRaw !== null && statusRaw !== '') {
    const found = (['Failed', 'All'] as const).find((s) => typeof statusRaw === 'string' && s.toLowerCase() === statusRaw.toLowerCase());
    if (found) status = found;
    else errors.push({ property: 'Status', rule: "must be 'Failed' or 'All'" });
  }
  const eventsRaw = pick(body, 'Events');
  let events: string[] | null = null;
  if (eventsRaw !== undefined && eventsRaw !== null) {
    const list = typeof eventsRaw === 'string' ? eventsRaw.split(',').map((e) => e.trim()) : eventsRaw;
    if (!Array.isArray(list) || list.some((e) => typeof e !== 'string' || e === '')) {
      errors.push({ property: 'Events', rule: 'must be a list of event names' });
    } else if (list.length > 0) events = list as string[];
  }
  if (errors.length > 0) throw invalidFields(errors);
  return { since, until, status, events };
}

/**
 * How many recover jobs one tenant may have open (issue 20: 40 at once made ~200,000 sends). `running` of them
 * take turns with other tenants' jobs; `queued` more wait behind them; a request beyond both is refused (429).
 */
export interface RecoverLimits {
  runningPerTenant: number;
  queuedPerTenant: number;
}

/** The most open (queued or running) recover jobs a tenant may have. */
export function maxOpenRecoverJobs(limits: RecoverLimits): number {
  return limits.runningPerTenant + limits.queuedPerTenant;
}
