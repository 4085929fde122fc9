import type { Clock } from '../../lib/clock.js';
import type { DeliveryLogService } from '../../services/delivery-log-service.js';
import type { AppAccessService } from '../../services/app-access-service.js';
import type { ArchiveService } from '../../services/archive-service.js';
import type { AuditService } from '../../services/audit-service.js';
import type { AuthService } from '../../services/auth-service.js';
import type { EventService } from '../../services/event-service.js';
import type { JobService } from '../../services/job-service.js';
import type { RetentionService } from '../../services/retention-service.js';
import type { WebhookService } from '../../services/webhook-service.js';

/** What the route modules need; built at the composition root. */
export interface RouteDeps {
  auth: AuthService;
  webhooks: WebhookService;
  events: EventService;
  deliveryLog: DeliveryLogService;
  retention: RetentionService;
  jobs: JobService;
  /** "Online Restricted": which applications may use the Webhook routes. */
  appAccess: AppAccessService;
  /** The Webhook archive providers (REST archive and ArchiveAgent). */
  archive: ArchiveService;
  /** The audit log (issue 25). */
  audit: AuditService;
  ticketTtlMs: number;
  clock: Clock;
}
