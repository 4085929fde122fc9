/** A recover job (domain/recover.ts) as the services read it: its scope, state and progress. */
import type { RecoverCriteria } from './recover.js';

/** Which deliveries a recover job copies: its criteria within a tenant, on some webhooks or all of them. */
export interface RecoverScope extends RecoverCriteria {
  tenantId: number;
  /** null: every webhook of the tenant. */
  webhookIds: number[] | null;
}

export type JobState = 'Queued' | 'Running' | 'Done' | 'Failed';

export interface Job {
  id: number;
  tenantId: number;
  kind: 'recover';
  scope: RecoverScope;
  state: JobState;
  total: number;
  done: number;
  created: number;
  finished: number | null;
  error: string | null;
}
