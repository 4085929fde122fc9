/**
 * The browser's side of hookd's JSON API. The dashboard signs in with a ticket cookie and sends the
 * XSRF-TOKEN cookie back as X-XSRF-TOKEN (the API's cookie scheme); the portal sends its token as
 * `Authorization: Portal <token>`. Nothing here builds HTML: answers are data, rendered as text by Preact.
 */
import type { Static } from '@sinclair/typebox';
import type {
  DeliveryPage,
  JobCarrier,
  RecoverCount as RecoverCountSchema,
  WebhookResult,
  WebhookStats,
  WebhookUsage,
} from '../../src/api/response-schemas.js';

export interface FieldError {
  Property: string;
  Rule: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

export interface Session {
  /** The tenant the pages work in ('' = the default tenant at /api/v1). */
  tenant: string;
  /** Set in the portal: the token from the link. */
  portalToken: string | null;
}

export const session: Session = { tenant: '', portalToken: null };

export function apiBase(): string {
  return session.tenant === '' ? '/api/v1' : `/${encodeURIComponent(session.tenant)}/api/v1`;
}

function cookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** The portal's token, or the XSRF-TOKEN cookie sent back beside the ticket cookie. */
function credentials(): Record<string, string> {
  if (session.portalToken) return { Authorization: `Portal ${session.portalToken}` };
  const xsrf = cookie('XSRF-TOKEN');
  return xsrf ? { 'X-XSRF-TOKEN': xsrf } : {};
}

/**
 * One API call; throws ApiError with the envelope's message, code and field errors. `T` is the answer's type, taken
 * from the server's response schemas (below); without one the answer is `unknown`, not `any`.
 */
export async function api<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers, ...credentials() };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(`${apiBase()}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text === '' ? null : JSON.parse(text);
  if (!res.ok) {
    throw new ApiError(
      res.status,
      data?.ErrorMessage ?? `${res.status} ${res.statusText}`,
      data?.ErrorCode ?? 'unknown',
      data?.Errors ?? [],
    );
  }
  return data as T;
}

/** A GET answered as text (the delivery log's CSV); throws ApiError like `api`. */
export async function apiText(path: string): Promise<string> {
  const res = await fetch(`${apiBase()}${path}`, { headers: credentials() });
  const text = await res.text();
  if (!res.ok) {
    let data: { ErrorMessage?: string; ErrorCode?: string } | null = null;
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
    throw new ApiError(res.status, data?.ErrorMessage ?? `${res.status} ${res.statusText}`, data?.ErrorCode ?? 'unknown', []);
  }
  return text;
}

/** Signs in: a ticket, kept as an HttpOnly cookie beside the XSRF-TOKEN cookie. */
export async function signIn(user: string, password: string): Promise<void> {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  const basic = btoa(String.fromCharCode(...bytes));
  await api('POST', '/Auth/Ticket', undefined, { Authorization: `Basic ${basic}` });
}

/** The list's figures (GetAllWebhooks ?Usage=true): the server's response schema is the one source of the type. */
export type Usage = Static<typeof WebhookUsage>;

export interface CertificateShown {
  Subject: string;
  Fingerprint: string;
  Expires: string;
}

export interface Webhook {
  WebhookId: number;
  Name: string;
  Events: string[];
  TargetUrl: string;
  Secret: string;
  State: 'Active' | 'Stopped' | 'TooManyErrors' | 'Unknown';
  Type: string;
  Headers: Record<string, string>;
  Properties: Record<string, unknown>;
  TotalCalls: number;
  TotalErrors: number;
  ConsecutiveErrors: number;
  LastError: string;
  UpdatedCount: number;
  MaxPerSecond?: number;
  Ordering?: string;
  Filter?: Record<string, unknown>;
  SecretRotation?: { PreviousSecretExpires: string; Confirmed: boolean };
  /** Receiver authentication (issue 25), shown without its key, client secret or password. */
  ReceiverAuth?: {
    ClientCertificate?: CertificateShown;
    CaCertificates?: CertificateShown[];
    OAuth2?: { TokenUrl: string; ClientId: string; Scope: string; Audience: string; Method: string };
    Basic?: { UserName: string };
  };
  Description?: string | null;
  ErrorEmails?: string[] | null;
  ErrorAssociates?: Array<{ Id: number | null; Name: string | null }> | null;
  NotifyVia?: string | null;
  NotifyWhen?: string | null;
  Usage?: Usage;
  [key: string]: unknown;
}

/** A page of the delivery log's items, and one item's attempts: from the server's response schema (GET …/Deliveries). */
export type DeliveryLogPage = Static<typeof DeliveryPage>;
export type Delivery = DeliveryLogPage['Items'][number];
export type Attempt = Delivery['Attempts'][number];
/** One bucket of GET …/Stats. */
export type Bucket = Static<typeof WebhookStats>['Buckets'][number];
/** A recover job (POST …/Recover, GET /Jobs/{id}) and a dry run's count. */
export type Job = Static<typeof JobCarrier>;
export type RecoverCount = Static<typeof RecoverCountSchema>;
/** The answer of POST /Webhook/Test (a test ping). */
export type TestResult = Static<typeof WebhookResult>;
