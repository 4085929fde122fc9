/** Sends the `test` event to a webhook's target (TestWebhook and the save-time ping). */
import type { PluginRegistry } from '../delivery/plugins.js';
import { testEvent } from '../domain/signal.js';
import type { WebhookInput } from '../domain/webhook.js';
import type { SecretsOf } from '../signing/rotation.js';
import type { Caller } from './caller.js';
import { newGuid } from '../lib/guid.js';

export interface TestResult {
  success: boolean;
  message: string;
}

export class TargetTester {
  constructor(
    private readonly plugins: PluginRegistry,
    private readonly now: () => number,
  ) {}

  async test(
    caller: Caller,
    webhook: Pick<WebhookInput, 'name' | 'type' | 'targetUrl' | 'secret' | 'headers' | 'properties'> &
      Partial<SecretsOf> &
      Partial<Pick<WebhookInput, 'receiverAuth'>>,
  ): Promise<TestResult> {
    const plugin = this.plugins.get(webhook.type);
    if (!plugin) return { success: false, message: `No plugin handles webhooks of type '${webhook.type}'` };
    const outcome = await plugin.deliver({
      event: testEvent(caller.tenant.identifier, caller.associate.id, this.now()),
      eventGuid: newGuid(),
      retry: 0,
      isTest: true,
      webhook: {
        id: 0,
        tenantId: caller.tenant.id,
        name: webhook.name ?? '',
        type: webhook.type,
        targetUrl: webhook.targetUrl,
        secret: webhook.secret,
        headers: webhook.headers,
        properties: webhook.properties,
        previousSecret: webhook.previousSecret ?? null,
        previousSecretUntil: webhook.previousSecretUntil ?? null,
        secretConfirmed: webhook.secretConfirmed ?? false,
        receiverAuth: webhook.receiverAuth ?? null,
        // A test ping is no event of a trace.
        sendTraceContext: false,
      },
    });
    const answer = outcome.answer ?? (outcome.kind === 'success' ? '' : outcome.error);
    return { success: outcome.kind === 'success', message: answer };
  }
}
