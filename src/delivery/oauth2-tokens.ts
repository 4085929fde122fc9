/**
 * OAuth2 client credentials (RFC 6749 §4.4) for receivers that want a bearer token: a token is fetched from the
 * webhook's token URL once and reused for every delivery until shortly before it expires; concurrent deliveries
 * wait for the same fetch. The token request goes through the HTTP sender, so the token URL passes the receiver's
 * target checks (SSRF, the checked DNS lookup), timeouts and body cap.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { OAuth2Client } from '../domain/receiver-auth.js';
import { answerText, type HttpSender, SendError } from './http-sender.js';

/**
 * A token is renewed this long before it expires (a delivery in flight must not carry a token that expires on the
 * way: the attempt timeout is 30 s at most by default), or at half its lifetime when that is shorter.
 */
const RENEW_BEFORE_MS = 30_000;
/** A token endpoint that gives no expires_in: reuse the token this long (RFC 6749 §5.1 leaves it to the client). */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
/** Distinct clients with a cached token at most. */
const TOKEN_CACHE_SIZE = 10_000;

/** The token endpoint failed: the attempt fails at the `auth` stage and never reaches the receiver. */
export class TokenError extends Error {}

interface Entry {
  token: string | null;
  renewAt: number;
  pending: Promise<string> | null;
}

export class OAuth2Tokens {
  private readonly keys = new WeakMap<OAuth2Client, string>();
  private readonly entries = new Map<string, Entry>();
  /** Token requests made: the tests and the bench read it. */
  requests = 0;

  constructor(
    private readonly sender: HttpSender,
    private readonly userAgent: string,
    private readonly now: () => number,
    /** The dispatcher for token URLs (a proxy's), or undefined for the sender's shared agent. */
    private readonly via?: Dispatcher,
    /**
     * Through a proxy: the receiver's host check (egress-proxy.ts's checkHost), since the proxy resolves the token
     * URL's name out of the checked lookup's sight; undefined when connections are direct (the lookup checks them).
     */
    private readonly checkHost?: (host: string) => Promise<SendError | null>,
  ) {}

  /** A valid access token for `client`: the cached one, or a new one from its token endpoint (throws TokenError). */
  token(client: OAuth2Client, signal?: AbortSignal): Promise<string> {
    const entry = this.entry(client);
    if (entry.token !== null && entry.renewAt > this.now()) return Promise.resolve(entry.token);
    if (entry.pending) return entry.pending;
    entry.pending = this.fetch(client, signal).then(
      ({ token, lifetimeMs }) => {
        entry.token = token;
        entry.renewAt = this.now() + Math.max(0, Math.min(lifetimeMs - RENEW_BEFORE_MS, lifetimeMs / 2));
        entry.pending = null;
        return token;
      },
      (e: unknown) => {
        entry.pending = null;
        throw e;
      },
    );
    return entry.pending;
  }

  /** The receiver refused `token` (401): forget it, so the next call fetches a new one. */
  invalidate(client: OAuth2Client, token: string): void {
    const entry = this.entry(client);
    if (entry.token === token) {
      entry.token = null;
      entry.renewAt = 0;
    }
  }

  private entry(client: OAuth2Client): Entry {
    let key = this.keys.get(client);
    if (key === undefined) {
      // The same client read twice (the owner's row, a test ping's webhook) shares one token.
      key = [
        client.tokenUrl,
        client.clientId,
        createHash('sha256').update(client.clientSecret).digest('base64'),
        client.scope,
        client.audience,
        client.method,
      ].join('\0');
      this.keys.set(client, key);
    }
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= TOKEN_CACHE_SIZE) this.entries.clear();
      entry = { token: null, renewAt: 0, pending: null };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private async fetch(client: OAuth2Client, signal?: AbortSignal): Promise<{ token: string; lifetimeMs: number }> {
    if (this.checkHost) {
      const problem = await this.checkHost(new URL(client.tokenUrl).hostname);
      if (problem) throw new TokenError(`token endpoint ${client.tokenUrl} failed at ${problem.stage}: ${problem.message}`);
    }
    this.requests++;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (client.scope) form.set('scope', client.scope);
    if (client.audience) form.set('audience', client.audience);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      'User-Agent': this.userAgent,
    };
    if (client.method === 'client_secret_post') {
      form.set('client_id', client.clientId);
      form.set('client_secret', client.clientSecret);
    } else {
      // RFC 6749 §2.3.1: id and secret form-encoded, then joined for Basic.
      const pair = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    let answer;
    try {
      answer = await this.sender.post(client.tokenUrl, headers, form.toString(), signal, this.via);
    } catch (e) {
      const stage = e instanceof SendError ? e.stage : 'network';
      throw new TokenError(`token endpoint ${client.tokenUrl} failed at ${stage}: ${(e as Error).message}`);
    }
    if (answer.status < 200 || answer.status >= 300)
      throw new TokenError(`token endpoint ${client.tokenUrl} answered:\r\n${answerText(answer)}`);
    let parsed: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      throw new TokenError(`token endpoint ${client.tokenUrl} answered without JSON:\r\n${answerText(answer)}`);
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '' || !/^[\x21-\x7e]+$/.test(parsed.access_token))
      throw new TokenError(`token endpoint ${client.tokenUrl} answered without a usable access_token:\r\n${answerText(answer)}`);
    if (typeof parsed.token_type === 'string' && parsed.token_type.toLowerCase() !== 'bearer')
      throw new TokenError(`token endpoint ${client.tokenUrl} gave a '${parsed.token_type}' token; hookd sends Bearer tokens only`);
    const seconds = Number(parsed.expires_in);
    const lifetimeMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_LIFETIME_MS;
    return { token: parsed.access_token, lifetimeMs };
  }
}
