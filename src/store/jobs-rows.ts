/** Jobs rows (the same columns in SQLite and PostgreSQL) to domain objects. */
import type { Job, JobState, RecoverScope } from '../domain/job.js';

export interface JobRow {
  id: number | string;
  tenant_id: number | string;
  kind: string;
  params: string;
  state: string;
  total: number | string;
  done: number | string;
  last_id: number | string;
  created: number | string;
  finished: number | string | null;
  error: string | null;
}

/**
 * What a recover job stores of its request: the scope, the newest delivery that existed when it was made, and
 * that instant: it copies only deliveries finished by then, the ones its Total counted (absent on jobs made
 * before migration 007: no bound).
 */
export interface RecoverParams {
  scope: RecoverScope;
  maxDeliveryId: number;
  snapshotAt?: number;
}

export function toJob(r: JobRow): Job {
  const params = JSON.parse(r.params) as RecoverParams;
  return {
    id: Number(r.id),
    tenantId: Number(r.tenant_id),
    kind: 'recover',
    scope: params.scope,
    state: r.state as JobState,
    total: Number(r.total),
    done: Number(r.done),
    created: Number(r.created),
    finished: r.finished === null ? null : Number(r.finished),
    error: r.error,
  };
}
