/**
 * The HTTP sender: undici with keep-alive pools per origin, a timeout on every attempt, no redirects,
 * response bodies read only up to a cap, and the target checks applied to the address each connection
 * really resolves to (so DNS rebinding cannot reach inside).
 */
import { lookup as dnsLookup } from 'node:dns';
import { STATUS_CODES } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { addressProblem, targetUrlProblem } from '../domain/target-url.js';

export interface SenderOptions {
  timeoutMs: number;
  responseBodyCapBytes: number;
  allowPrivateTargets: boolean;
  /** Private networks (CIDR) that targets may resolve to all the same. */
  allowedNetworks?: readonly string[];
  connectionsPerOrigin: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, cut at the configured cap. */
  body: string;
}

/** A failure before any answer: where it happened and why. */
export class SendError extends Error {
  constructor(
    readonly stage: 'target-check' | 'connect' | 'tls' | 'timeout' | 'network',
    message: string,
  ) {
    super(message);
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | Array<{ address: string; family: number }>,
  family?: number,
) => void;

/** A dns.lookup that refuses addresses hookd may not send to: it runs for every new connection. */
export function checkedLookup(allowPrivate: boolean, allowedNetworks: readonly string[] = []) {
  return (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, options as never, (err, address, family) => {
      if (err) return callback(err, address as never, family);
      const list = Array.isArray(address) ? address : [{ address: address as unknown as string, family: family ?? 4 }];
      for (const a of list) {
        const problem = addressProblem(a.address, allowPrivate, allowedNetworks);
        if (problem)
          return callback(new SendError('target-check', `TargetUrl host '${hostname}' ${problem}`) as never, address as never, family);
      }
      callback(null, address as never, family);
    });
  };
}

/** Where a target URL sends, judged once per distinct URL (a URL parse and the address checks cost ~2 µs an attempt). */
interface Route {
  origin: string;
  path: string;
}

/** Distinct target URLs remembered at most; past that the memory starts again (a webhook's URL rarely changes). */
const ROUTE_CACHE_SIZE = 10_000;

export class HttpSender {
  private readonly agent: Agent;
  private readonly routes = new Map<string, Route | SendError>();
  private readonly deadlines: Deadlines;
  /** Signals already watched: one listener per signal (the worker's shutdown), not one per attempt. */
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(readonly options: SenderOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs, lookup: checkedLookup(options.allowPrivateTargets, options.allowedNetworks) as never },
    });
    this.deadlines = new Deadlines(options.timeoutMs);
  }

  /**
   * POSTs `body`; resolves with the answer (any status) or rejects with a SendError. `via`: a webhook's own
   * dispatcher (client certificate, private CA, proxy: receiver-tls.ts, egress-proxy.ts); most use the shared agent.
   */
  post(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal, via?: Dispatcher): Promise<HttpAnswer> {
    const route = this.route(url);
    if (route instanceof SendError) return Promise.reject(route);
    if (signal?.aborted) return Promise.reject(toSendError(signal.reason, false, this.options.timeoutMs));
    if (signal && !this.watched.has(signal)) {
      this.watched.add(signal);
      signal.addEventListener('abort', () => this.deadlines.abortAll(signal), { once: true });
    }
    return new Promise((resolve, reject) => {
      const attempt = new Attempt(this.options, signal ?? null, resolve, reject, this.deadlines);
      this.deadlines.add(attempt);
      (via ?? this.agent).dispatch(
        {
          origin: route.origin,
          path: route.path,
          method: 'POST',
          headers,
          body,
          // The attempt's own deadline (Deadlines: one timer for all) ends it; undici's would set a timer per request.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        attempt,
      );
    });
  }

  private route(url: string): Route | SendError {
    const known = this.routes.get(url);
    if (known) return known;
    const problem = targetUrlProblem(url, this.options.allowPrivateTargets, this.options.allowedNetworks);
    let route: Route | SendError;
    if (problem) route = new SendError('target-check', `TargetUrl ${problem}`);
    else {
      const parsed = new URL(url);
      route = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    }
    if (this.routes.size >= ROUTE_CACHE_SIZE) this.routes.clear();
    this.routes.set(url, route);
    return route;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * One attempt as undici's own handler (onConnect … onComplete): no stream, no AbortController, no listener per
 * attempt — request() with a signal and a body stream cost about twice a bare POST's CPU (issue 22's profile).
 * The newer onRequestStart style is wrapped per request by undici and parses every header, so it is not used.
 */
class Attempt implements Deadlined {
  /** When the attempt times out (the deadlines list is in this order). */
  readonly deadline: number;
  /** Its place in the deadlines list while it is in flight. */
  prev: Deadlined | null = null;
  next: Deadlined | null = null;
  listed = false;
  private abortRequest: ((reason: Error) => void) | null = null;
  private abortReason: Error | null = null;
  private settled = false;
  private status = 0;
  private rawHeaders: Buffer[] = [];
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly options: SenderOptions,
    readonly signal: AbortSignal | null,
    private readonly resolve: (answer: HttpAnswer) => void,
    private readonly reject: (error: SendError) => void,
    private readonly deadlines: Deadlines,
  ) {
    this.deadline = performance.now() + options.timeoutMs;
  }

  /** Ends the attempt now (timeout or shutdown): settles at once, and stops the request when it reaches a socket. */
  cancel(reason: Error, timedOut: boolean): void {
    this.fail(reason, timedOut);
    this.abortReason = reason;
    this.abortRequest?.(reason);
  }

  onConnect(abort: (reason: Error) => void): void {
    if (this.abortReason) abort(this.abortReason);
    else this.abortRequest = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (status < 200) return true; // 1xx: the answer is still to come
    this.status = status;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return true;
    const room = this.options.responseBodyCapBytes - this.size;
    if (room > 0) this.chunks.push(room < chunk.length ? chunk.subarray(0, room) : chunk);
    this.size += chunk.length;
    if (this.size >= this.options.responseBodyCapBytes) {
      // Enough of the body: answer now and close the connection rather than read the rest.
      this.succeed();
      this.abortRequest?.(new SendError('network', 'response body cap reached'));
    }
    return true;
  }

  onComplete(): void {
    this.succeed();
  }

  onError(err: Error): void {
    this.fail(err, false);
  }

  private succeed(): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.remove(this);
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer).toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.resolve(new Answer(this.status, this.rawHeaders, body));
  }

  private fail(err: unknown, timedOut: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.remove(this);
    this.reject(toSendError(err, timedOut, this.options.timeoutMs));
  }
}

/** An answer whose headers are parsed only when read (a failure's last_error, Retry-After): most are 2xx and never are. */
class Answer implements HttpAnswer {
  private parsed: Record<string, string | string[] | undefined> | null = null;

  constructor(
    readonly status: number,
    private readonly rawHeaders: Buffer[],
    readonly body: string,
  ) {}

  get headers(): Record<string, string | string[] | undefined> {
    if (this.parsed) return this.parsed;
    const out: Record<string, string | string[] | undefined> = Object.create(null) as Record<string, string | string[] | undefined>;
    for (let i = 0; i + 1 < this.rawHeaders.length; i += 2) {
      const name = (this.rawHeaders[i] as Buffer).toString('latin1').toLowerCase();
      const value = (this.rawHeaders[i + 1] as Buffer).toString('latin1');
      const prev = out[name];
      out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    this.parsed = out;
    return out;
  }
}

/** What the deadlines list holds: an attempt in flight, linked to its neighbours while it is listed. */
export interface Deadlined {
  readonly deadline: number;
  readonly signal: AbortSignal | null;
  prev: Deadlined | null;
  next: Deadlined | null;
  listed: boolean;
  cancel(reason: Error, timedOut: boolean): void;
}

/**
 * The attempts in flight in deadline order, with one timer for all of them: every attempt has the same
 * timeout, so the order they started in is the order they expire in. A list linked through the attempts, not a
 * Set: with a Set of attempts, the send path's objects (bodies, requests, answers' headers) were promoted into the
 * old generation — 158 MB against 4 MB for 80,000 POSTs (--trace-gc-nvp), ~4 µs of CPU a POST (issue 22). Why V8
 * kept them alive was not pinned down; the list keeps nothing once an attempt ends.
 */
export class Deadlines {
  private head: Deadlined | null = null;
  private tail: Deadlined | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  add(attempt: Deadlined): void {
    attempt.prev = this.tail;
    attempt.next = null;
    if (this.tail) this.tail.next = attempt;
    else this.head = attempt;
    this.tail = attempt;
    attempt.listed = true;
    if (this.timer === null) this.arm(this.timeoutMs);
  }

  remove(attempt: Deadlined): void {
    if (!attempt.listed) return;
    attempt.listed = false;
    if (attempt.prev) attempt.prev.next = attempt.next;
    else this.head = attempt.next;
    if (attempt.next) attempt.next.prev = attempt.prev;
    else this.tail = attempt.prev;
    attempt.prev = null;
    attempt.next = null;
  }

  /** Shutdown: every attempt started with `signal` ends now. */
  abortAll(signal: AbortSignal): void {
    for (let attempt = this.head; attempt !== null;) {
      const next = attempt.next;
      if (attempt.signal === signal) attempt.cancel(signal.reason instanceof Error ? signal.reason : new Error('aborted'), false);
      attempt = next;
    }
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, ms));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = null;
    const now = performance.now();
    for (let attempt = this.head; attempt !== null; attempt = this.head) {
      if (attempt.deadline > now) {
        this.arm(attempt.deadline - now);
        return;
      }
      this.remove(attempt);
      attempt.cancel(new DOMException(`No complete answer within ${this.timeoutMs} ms`, 'TimeoutError'), true);
    }
  }
}

/** Status line, headers and body, as last_error keeps them; only formatted when someone reads it. */
export function answerText({ status, headers, body }: HttpAnswer): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) lines.push(`${name}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Node's certificate and handshake error codes. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH)/;

function toSendError(e: unknown, timedOut: boolean, timeoutMs: number): SendError {
  if (e instanceof SendError) return e;
  const err = e as { name?: string; code?: string; message?: string; cause?: unknown };
  if (err.cause instanceof SendError) return err.cause;
  if (
    timedOut ||
    err.name === 'TimeoutError' ||
    err.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    err.code === 'UND_ERR_BODY_TIMEOUT' ||
    err.code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    // An AbortSignal timeout is a DOMException whose code is a number (23): name it instead.
    const what = typeof err.code === 'string' ? err.code : (err.name ?? 'timeout');
    return new SendError('timeout', `No complete answer within ${timeoutMs} ms (${what})`);
  }
  const code = err.code ?? (err.cause as { code?: string } | undefined)?.code;
  const message = err.message ?? String(e);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
    return new SendError('connect', `Could not connect: ${code} ${message}`.trim());
  }
  if (typeof code === 'string' && TLS_CODE.test(code)) return new SendError('tls', `TLS: ${code}: ${message}`);
  return new SendError('network', `${code ? `${code}: ` : ''}${message}`);
}
