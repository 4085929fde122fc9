import type { Clock } from '../../lib/clock.js';
import type { AuthService } from '../../services/auth-service.js';
import type { EventService } from '../../services/event-service.js';
import type { WebhookService } from '../../services/webhook-service.js';
import type { Store } from '../../store/store.js';

/** What the route modules need; built at the composition root. */
export interface RouteDeps {
  store: Store;
  auth: AuthService;
  webhooks: WebhookService;
  events: EventService;
  /** Wakes the delivery worker (absent when this process only serves the API). */
  worker: (() => void) | null;
  ticketTtlMs: number;
  clock: Clock;
}
