/**
 * The Webhook agent: every operation of superoffice-webhooks.md §2/§3, shared by the REST routes, the
 * RPC routes and in-process callers (the CLI reaches it over HTTP). Enforces tenants and application
 * tokens, validation, the save-time ping and state events.
 */
import { randomBytes } from 'node:crypto';
import { defaultCarrier, webhookCarrier } from '../domain/carrier.js';
import { HookdError, invalidFields } from '../domain/errors.js';
import { explainFilter, type FilterVerdict } from '../domain/filter.js';
import { type Filter, filterProblems } from '../domain/filter-check.js';
import { applyPatch, type PatchOp } from '../domain/patch.js';
import { stateChangeVerb } from '../domain/retry-policy.js';
import { FULL_RIGHTS, type Rights } from '../domain/rights.js';
import { stateEventRecord } from '../domain/state-events.js';
import { readRotation } from '../domain/secret-rotation.js';
import type { Associate, Webhook, WebhookInput } from '../domain/webhook.js';
import { type InputRules, pick, validateWebhookInput } from '../domain/webhook-input.js';
import { inOverlap } from '../signing/rotation.js';
import type { Clock } from '../lib/clock.js';
import type { Accounts } from '../store/accounts.js';
import type { WebhookFilter, WebhookRegistry } from '../store/webhooks.js';
import type { Caller } from './caller.js';
import type { TargetTester, TestResult } from './target-tester.js';

export interface WebhookServiceDeps {
  /** The ports this service uses: the registry, and the accounts for ErrorAssociates. */
  registry: WebhookRegistry;
  accounts: Accounts;
  clock: Clock;
  tester: TargetTester;
  rules: InputRules;
  savePing: boolean;
  /** The crmscript handlers there are now (registered, or loaded from the scripts folder); none when absent. */
  crmscriptHandlers?: () => readonly string[];
  /** Called after a change that may make queued deliveries due (reactivation). */
  onWork: () => void;
}

/** 32 random bytes as base64url: 43 characters, within the Secret column's 400. */
function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Optimistic writes retry this often when another write slipped in between read and write. */
const WRITE_RETRIES = 5;

export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  createDefault(): Record<string, unknown> {
    return defaultCarrier(FULL_RIGHTS);
  }

  /** What the caller may do with a webhook: change it, unless another application registered it (SO-AppToken). */
  rights(caller: Caller, webhook: Webhook): Rights {
    if (webhook.applicationToken && webhook.applicationToken !== caller.appToken) {
      return { write: false, reason: 'The webhook was registered by another application (SO-AppToken): it may be read, not changed' };
    }
    return FULL_RIGHTS;
  }

  async list(caller: Caller, filter: WebhookFilter): Promise<Webhook[]> {
    return this.deps.registry.listWebhooks(caller.tenant.id, { ...filter, applicationToken: caller.appToken });
  }

  /** The webhook, or 404 when it does not exist here or belongs to another application. */
  async get(caller: Caller, id: number): Promise<Webhook> {
    const webhook = await this.deps.registry.getWebhook(caller.tenant.id, id);
    if (!webhook || (caller.appToken && webhook.applicationToken !== caller.appToken)) {
      throw new HookdError('not_found', { entity: 'Webhook', id });
    }
    return webhook;
  }

  async create(caller: Caller, raw: unknown): Promise<Webhook> {
    const input = validateWebhookInput(raw, this.deps.rules);
    await this.checkAssociates(caller, input);
    this.checkScript(input);
    await this.ping(caller, input);
    return this.deps.registry.createWebhook(
      caller.tenant.id,
      input,
      { associateId: caller.associate.id, now: this.deps.clock.now() },
      caller.appToken,
    );
  }

  /** PUT: the whole carrier replaces the webhook. `unmodifiedSince` is If-Unmodified-Since in ms. */
  async update(caller: Caller, id: number, raw: unknown, unmodifiedSince: number | null = null): Promise<Webhook> {
    return this.write(caller, id, unmodifiedSince, (current) => validateWebhookInput(raw, this.deps.rules, current));
  }

  /** PATCH: the ops are applied to the current carrier, then saved like a PUT. */
  async patch(
    caller: Caller,
    id: number,
    ops: (current: Record<string, unknown>) => PatchOp[],
    carrierOf: (w: Webhook) => Promise<Record<string, unknown>>,
    unmodifiedSince: number | null = null,
  ): Promise<Webhook> {
    return this.write(caller, id, unmodifiedSince, async (current) => {
      const carrier = await carrierOf(current);
      return validateWebhookInput(applyPatch(carrier, ops(carrier)), this.deps.rules, current);
    });
  }

  async delete(caller: Caller, id: number): Promise<void> {
    const webhook = await this.get(caller, id);
    this.checkOwner(caller, webhook);
    await this.deps.registry.deleteWebhook(caller.tenant.id, id);
    this.deps.onWork(); // its owner lets it go at the next pass, not after the version check's interval
  }

  /**
   * Secret/Rotate: the given (or a generated) secret signs from now on, the current one beside it for
   * `graceHours` (README "Secret rotation"). Answers the webhook with its new secret.
   */
  async rotateSecret(caller: Caller, id: number, raw: unknown): Promise<Webhook> {
    const { secret, graceHours } = readRotation(raw);
    const current = await this.get(caller, id);
    this.checkOwner(caller, current);
    const now = this.deps.clock.now();
    const saved = await this.deps.registry.rotateSecret(caller.tenant.id, id, {
      secret: secret ?? generateSecret(),
      until: now + graceHours * 3_600_000,
      stamp: { associateId: caller.associate.id, now },
    });
    if (!saved) throw new HookdError('not_found', { entity: 'Webhook', id });
    this.deps.onWork(); // its owner signs with the new secret from the next pass on
    return saved;
  }

  /**
   * Secret/Confirm: a test ping signed with the new secret only (X-SuperOffice-Signature; Standard Webhooks
   * signatures carry both). When the target accepts it, NetServer's signature switches to the new secret.
   */
  async confirmSecret(caller: Caller, id: number): Promise<TestResult> {
    const current = await this.get(caller, id);
    this.checkOwner(caller, current);
    const now = this.deps.clock.now();
    if (!inOverlap(current, now)) throw new HookdError('no_rotation', { id });
    const result = await this.deps.tester.test(caller, { ...current, secretConfirmed: true });
    if (result.success) {
      await this.deps.registry.confirmSecret(caller.tenant.id, id, current.updatedCount, { associateId: caller.associate.id, now });
      this.deps.onWork();
    }
    return result;
  }

  /** Filter/Test: whether a filter matches a sample payload, and which of its conditions missed. 400 for a malformed filter. */
  testFilter(raw: unknown): FilterVerdict {
    const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const filter = pick(body, 'Filter');
    const payload = pick(body, 'Payload');
    const errors = filterProblems(filter);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      errors.push({ property: 'Payload', rule: 'must be a sample payload object, as a receiver would get it' });
    }
    if (errors.length > 0) throw invalidFields(errors);
    return explainFilter(filter as Filter, payload as Record<string, unknown>);
  }

  async lastError(caller: Caller, id: number): Promise<string> {
    return (await this.get(caller, id)).lastError ?? '';
  }

  async test(caller: Caller, raw: unknown): Promise<TestResult> {
    const input = validateWebhookInput(raw, this.deps.rules);
    return this.deps.tester.test(caller, input);
  }

  /** The associates named by a set of webhooks (audit stamps and ErrorAssociates), for their carriers. */
  async associatesOf(webhooks: Webhook[]): Promise<Map<number, Associate>> {
    const ids = [...new Set(webhooks.flatMap((w) => [w.registeredAssociateId, w.updatedAssociateId, ...w.errorAssociateIds]))];
    return new Map((await this.deps.accounts.getAssociates(ids)).map((a) => [a.id, a]));
  }

  async carrier(webhook: Webhook, caller: Caller): Promise<Record<string, unknown>> {
    return webhookCarrier(webhook, await this.associatesOf([webhook]), this.rights(caller, webhook));
  }

  /** ErrorAssociates must name associates of the caller's tenant. */
  private async checkAssociates(caller: Caller, input: WebhookInput): Promise<void> {
    if (input.errorAssociateIds.length === 0) return;
    const found = new Set(
      (await this.deps.accounts.getAssociates(input.errorAssociateIds)).filter((a) => a.tenantId === caller.tenant.id).map((a) => a.id),
    );
    const missing = input.errorAssociateIds.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw invalidFields([{ property: 'ErrorAssociates', rule: `names no associate of this tenant with id ${missing.join(', ')}` }]);
  }

  private checkOwner(caller: Caller, webhook: Webhook): void {
    if (webhook.applicationToken && webhook.applicationToken !== caller.appToken) {
      throw new HookdError('app_token_mismatch', { id: webhook.id });
    }
  }

  /**
   * A crmscript webhook must name a handler that exists (issue 23), on create and when its Type or TargetUrl
   * changes — as the ping checks an HTTP target — so a webhook whose script went away can still be stopped or renamed.
   */
  private checkScript(input: WebhookInput, previous?: Webhook): void {
    if (input.type !== 'crmscript') return;
    if (previous !== undefined && previous.type === 'crmscript' && previous.targetUrl === input.targetUrl) return;
    const names = this.deps.crmscriptHandlers?.() ?? [];
    if (names.includes(input.targetUrl)) return;
    const shown = names.slice(0, 50).map((n) => `'${n}'`);
    const rule =
      names.length === 0
        ? `names the crmscript '${input.targetUrl}', but no crmscript handler is loaded (start hookd with --scripts <folder>, or register one with registerHandler)`
        : `names the crmscript '${input.targetUrl}', which no handler serves; the handlers are ${shown.join(', ')}${names.length > 50 ? ` and ${names.length - 50} more` : ''}`;
    throw invalidFields([{ property: 'TargetUrl', rule }]);
  }

  /** The save-time test ping of decisions.md: HTTP webhooks saved Active, on create or URL change. */
  private async ping(caller: Caller, input: WebhookInput, previousUrl?: string): Promise<void> {
    if (!this.deps.savePing || input.type !== 'webhook' || input.state !== 'Active') return;
    if (previousUrl !== undefined && previousUrl === input.targetUrl) return;
    const result = await this.deps.tester.test(caller, input);
    if (!result.success) throw new HookdError('target_test_failed', { answer: result.message.slice(0, 500) });
  }

  private async write(
    caller: Caller,
    id: number,
    unmodifiedSince: number | null,
    next: (current: Webhook) => WebhookInput | Promise<WebhookInput>,
  ): Promise<Webhook> {
    for (let attempt = 0; attempt < WRITE_RETRIES; attempt++) {
      const current = await this.get(caller, id);
      this.checkOwner(caller, current);
      // HTTP dates have whole seconds: "modified since" means in a later second.
      if (unmodifiedSince !== null && Math.floor(current.updated / 1000) > Math.floor(unmodifiedSince / 1000)) {
        throw new HookdError('precondition_failed', { entity: 'Webhook', id, since: new Date(unmodifiedSince) });
      }
      const input = await next(current);
      await this.checkAssociates(caller, input);
      this.checkScript(input, current);
      await this.ping(caller, input, current.targetUrl);
      const now = this.deps.clock.now();
      const verb = stateChangeVerb(current.state, input.state);
      const after = { ...current, ...input, updated: now, updatedAssociateId: caller.associate.id };
      const saved = await this.deps.registry.updateWebhook(caller.tenant.id, id, {
        input,
        stamp: { associateId: caller.associate.id, now },
        expectedUpdatedCount: current.updatedCount,
        resetConsecutiveErrors: verb === 'started',
        // A new Secret set by an update replaces a rotation: the overlap would name the wrong previous secret.
        endRotation: input.secret !== current.secret,
        signals: verb ? [stateEventRecord(after, verb, caller.tenant.identifier, now)] : [],
      });
      if (saved === null) throw new HookdError('not_found', { entity: 'Webhook', id });
      if (saved === 'conflict') continue;
      // Any change: the owner of the webhook reads it again at its next pass (a state change also queues events).
      this.deps.onWork();
      return saved;
    }
    throw new HookdError('precondition_failed', { entity: 'Webhook', id, since: 'it was read (it kept changing)' });
  }
}
