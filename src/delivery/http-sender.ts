/**
 * The HTTP sender: undici with keep-alive pools per origin, a timeout on every attempt, no redirects,
 * response bodies read only up to a cap, and the target checks applied to the address each connection
 * really resolves to (so DNS rebinding cannot reach inside).
 */
import { lookup as dnsLookup } from 'node:dns';
import { STATUS_CODES } from 'node:http';
import { Agent, request } from 'undici';
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

export class HttpSender {
  private readonly agent: Agent;

  constructor(private readonly options: SenderOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs, lookup: checkedLookup(options.allowPrivateTargets, options.allowedNetworks) as never },
    });
  }

  /** POSTs `body`; resolves with the answer (any status) or rejects with a SendError. */
  async post(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<HttpAnswer> {
    const problem = targetUrlProblem(url, this.options.allowPrivateTargets, this.options.allowedNetworks);
    if (problem) throw new SendError('target-check', `TargetUrl ${problem}`);
    // One controller and one timer per attempt: AbortSignal.timeout with AbortSignal.any cost ~25 µs an
    // attempt (about 5% of a delivery) in the profile.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new DOMException(`No complete answer within ${this.options.timeoutMs} ms`, 'TimeoutError'));
    }, this.options.timeoutMs);
    const stop = () => abort.abort(signal?.reason);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
    try {
      const res = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.agent,
        signal: abort.signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const room = this.options.responseBodyCapBytes - size;
        if (room > 0) chunks.push((chunk as Buffer).subarray(0, room));
        size += (chunk as Buffer).length;
        if (size >= this.options.responseBodyCapBytes) {
          res.body.destroy();
          break;
        }
      }
      return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
    } catch (e) {
      throw toSendError(e, timedOut, this.options.timeoutMs);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
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
