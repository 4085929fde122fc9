/**
 * Plugins: a webhook's Type names the plugin that carries out its deliveries (superoffice-webhooks.md §9).
 * `webhook` POSTs over HTTP; `crmscript` calls a handler the embedding application registered under the
 * name in TargetUrl (decisions.md). Each turns one delivery into an AttemptOutcome.
 */
import { errorText } from '../domain/errors.js';
import { type EventRecord, payloadBody, payloadObject } from '../domain/payload.js';
import { type AttemptOutcome, classifyStatus, retryAfterMs } from '../domain/retry-policy.js';
import { attemptSpanId, childTraceParent } from '../domain/trace-context.js';
import { signNetServer } from '../signing/netserver.js';
import { signingKeys } from '../signing/rotation.js';
import { standardSignatureHeaders } from '../signing/standard.js';
import type { WebhookTarget } from '../store/delivery-queue.js';
import { type HttpAnswer, type HttpSender, SendError, answerText } from './http-sender.js';
import { type EventHandler, type HandlerInput, ScriptTimeout } from './handlers.js';
import { TokenError } from './oauth2-tokens.js';
import { ReceiverAccess } from './receiver-access.js';

export interface DeliveryJob {
  event: EventRecord;
  eventGuid: string;
  /** X-SuperOffice-Retry: attempts made of this delivery before this one. */
  retry: number;
  webhook: WebhookTarget;
  /** The save-time ping and TestWebhook add `X-Hook-Test: true`. */
  isTest?: boolean;
}

export interface Plugin {
  readonly name: string;
  /** The outcome; a test ping's success also carries the target's answer as text (TestWebhook shows it). */
  deliver(job: DeliveryJob, signal?: AbortSignal): Promise<AttemptOutcome & { answer?: string }>;
}

export type { EventHandler, HandlerInput };

export interface SigningOptions {
  netserver: boolean;
  standard: boolean;
  /** Epoch milliseconds: `webhook-timestamp` (in seconds) and whether a rotation still overlaps. */
  now: () => number;
}

const NETSERVER_ONLY: SigningOptions = { netserver: true, standard: false, now: () => Date.now() };

/** The request the `webhook` plugin sends, built before any I/O: headers in decisions.md's order. */
export function buildHttpRequest(
  job: DeliveryJob,
  userAgent: string,
  signing: SigningOptions = NETSERVER_ONLY,
): { headers: Record<string, string>; body: string } {
  const body = payloadBody(job.event, job.eventGuid, job.webhook);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': userAgent,
    'X-SuperOffice-Event': job.event.name,
    'X-SuperOffice-EventId': job.eventGuid,
    'X-SuperOffice-Retry': String(job.retry),
  };
  const now = signing.now();
  const keys = signingKeys(job.webhook, now);
  if (keys.netserver && signing.netserver) headers['X-SuperOffice-Signature'] = signNetServer(keys.netserver, body);
  if (keys.standard.length > 0 && signing.standard) {
    Object.assign(headers, standardSignatureHeaders(keys.standard, job.eventGuid, Math.floor(now / 1000), body));
  }
  if (job.isTest) headers['X-Hook-Test'] = 'true';
  // Opt-in only (SendTraceContext), so everyone else's request keeps NetServer's exact headers. The parent is the
  // attempt's span: the one tracing/tracing.ts writes for this attempt when tracing is on.
  if (job.webhook.sendTraceContext && job.event.traceParent) {
    headers.traceparent = childTraceParent(job.event.traceParent, attemptSpanId(job.eventGuid, job.retry));
  }
  if (job.webhook.headers) Object.assign(headers, job.webhook.headers);
  return { headers, body };
}

export class HttpWebhookPlugin implements Plugin {
  readonly name = 'webhook';

  constructor(
    private readonly sender: HttpSender,
    private readonly userAgent: string,
    private readonly signing: SigningOptions = NETSERVER_ONLY,
    /** The longest pause a Retry-After may ask for; null: Retry-After is not heeded (HOOKD_RETRY_AFTER=off). */
    private readonly retryAfterMaxMs: number | null = null,
    /** Client certificates, private CAs, OAuth2, basic auth and the egress proxy (issue 25). */
    readonly access: ReceiverAccess = new ReceiverAccess(sender, userAgent, signing.now),
  ) {}

  /**
   * Not an async function: one reaction on the send's promise, rather than an async frame and an await around it (a
   * promise and a microtask less an attempt). A request that cannot be built rejects, as a throw in an async one did.
   */
  deliver(job: DeliveryJob, signal?: AbortSignal): Promise<AttemptOutcome & { answer?: string }> {
    let request: { headers: Record<string, string>; body: string };
    try {
      request = buildHttpRequest(job, this.userAgent, this.signing);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const { headers, body } = request;
    const auth = job.webhook.receiverAuth;
    let sent: Promise<HttpAnswer>;
    try {
      // Most webhooks: one field check and the shared agent, nothing else (issue 25's "costs nothing extra").
      sent =
        auth === null && !this.access.everyDelivery
          ? this.sender.post(job.webhook.targetUrl, headers, body, signal)
          : this.access.post(job.webhook.targetUrl, auth, headers, body, signal);
    } catch (e) {
      return Promise.resolve(sendFailure(e));
    }
    return sent.then((answer) => {
      try {
        return this.judge(job, answer);
      } catch (e) {
        return sendFailure(e);
      }
    }, sendFailure);
  }

  /** The outcome of an answer: its status, a Retry-After heeded, the text only where it is read. */
  private judge(job: DeliveryJob, answer: HttpAnswer): AttemptOutcome & { answer?: string } {
    const kind = classifyStatus(answer.status);
    if (kind === 'failure' && this.retryAfterMaxMs !== null && !job.isTest) {
      const header = answer.headers['retry-after'];
      const pause = retryAfterMs(answer.status, typeof header === 'string' ? header : undefined, this.signing.now(), this.retryAfterMaxMs);
      if (pause !== null)
        return { kind: 'throttled', status: answer.status, stage: 'response', error: answerText(answer), retryAfterMs: pause };
    }
    // The text is built only where it is read: a failure's last_error, a test ping's message.
    if (kind === 'success')
      return job.isTest ? { kind, status: answer.status, answer: answerText(answer) } : { kind, status: answer.status };
    return { kind, status: answer.status, stage: 'response' as const, error: answerText(answer) };
  }
}

/** A send that failed before an answer: the stage it failed at (the token endpoint's own: the receiver never asked). */
function sendFailure(e: unknown): AttemptOutcome {
  if (e instanceof TokenError) return { kind: 'failure', status: null, stage: 'auth', error: `[auth] ${e.message}` };
  if (e instanceof SendError) return { kind: 'failure', status: null, stage: e.stage, error: `[${e.stage}] ${e.message}` };
  return { kind: 'failure', status: null, stage: 'network', error: `[send] ${errorText(e)}` };
}

export class CrmScriptPlugin implements Plugin {
  readonly name = 'crmscript';
  private readonly handlers = new Map<string, EventHandler>();

  register(name: string, handler: EventHandler): void {
    this.handlers.set(name, handler);
  }

  unregister(name: string): boolean {
    return this.handlers.delete(name);
  }

  /** The script names a crmscript webhook's TargetUrl may name (checked at save). */
  names(): string[] {
    return [...this.handlers.keys()].sort();
  }

  async deliver(job: DeliveryJob) {
    const handler = this.handlers.get(job.webhook.targetUrl);
    if (!handler) {
      // The host application has not registered it (yet): hookd's fault, not the webhook's.
      return {
        kind: 'fault' as const,
        status: null,
        stage: 'prepare' as const,
        error: `[prepare] No handler is registered under the name '${job.webhook.targetUrl}'`,
      };
    }
    try {
      const result = await handler({
        payload: payloadObject(job.event, job.eventGuid, { name: job.webhook.name, properties: null }),
        values: job.event.fieldValues ?? {},
        properties: job.webhook.properties ?? {},
      });
      if (!job.isTest) return { kind: 'success' as const, status: 200 };
      return { kind: 'success' as const, status: 200, answer: result === undefined ? 'OK' : JSON.stringify(result) };
    } catch (e) {
      // A script of the scripts folder that ran past its time limit (script-folder.ts): a failed attempt, at its stage.
      if (e instanceof ScriptTimeout)
        return { kind: 'failure' as const, status: null, stage: 'timeout' as const, error: `[timeout] ${e.message}` };
      return {
        kind: 'failure' as const,
        status: null,
        stage: 'handler' as const,
        error: `[handler] ${(e as Error)?.message ?? String(e)}`,
      };
    }
  }
}

export class PluginRegistry {
  private readonly plugins = new Map<string, Plugin>();

  add(plugin: Plugin): this {
    this.plugins.set(plugin.name, plugin);
    return this;
  }

  get(name: string): Plugin | undefined {
    return this.plugins.get(name);
  }

  names(): string[] {
    return [...this.plugins.keys()];
  }
}
