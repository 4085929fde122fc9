/**
 * How the `webhook` plugin reaches a receiver when it is more than a POST on the shared agent: the webhook's own
 * dispatcher (client certificate, private CA: receiver-tls.ts), the egress proxy (egress-proxy.ts), and the
 * Authorization header of OAuth2 client credentials (oauth2-tokens.ts) or basic auth. A webhook without any of it,
 * with no proxy set, never comes here (the plugin checks one field).
 */
import type { Dispatcher } from 'undici';
import type { BasicAuth, ReceiverAuth } from '../domain/receiver-auth.js';
import { Egress, type ProxySettings } from './egress-proxy.js';
import type { HttpAnswer, HttpSender } from './http-sender.js';
import { OAuth2Tokens } from './oauth2-tokens.js';
import { ReceiverAgents } from './receiver-tls.js';

export class ReceiverAccess {
  readonly egress: Egress;
  readonly agents: ReceiverAgents;
  readonly tokens: OAuth2Tokens;
  /** The proxy's dispatcher for webhooks without TLS of their own; undefined: the sender's shared agent. */
  private readonly shared: Dispatcher | undefined;
  private readonly basicHeaders = new WeakMap<BasicAuth, string>();

  constructor(
    private readonly sender: HttpSender,
    userAgent: string,
    now: () => number,
    proxy?: ProxySettings,
  ) {
    this.egress = new Egress(sender.options, proxy);
    this.shared = this.egress.proxied ? this.egress.dispatcher(null) : undefined;
    this.agents = new ReceiverAgents(this.egress);
    // Through a proxy the token URL's name is resolved and checked by hookd first, as the receiver's is (post below).
    const checkHost = this.egress.proxied ? (host: string) => this.egress.checkHost(host) : undefined;
    this.tokens = new OAuth2Tokens(sender, userAgent, now, this.shared, checkHost);
  }

  /** Whether every delivery needs this path (a proxy is set), not only those of webhooks with ReceiverAuth. */
  get everyDelivery(): boolean {
    return this.egress.proxied;
  }

  /** POSTs as HttpSender.post does, with the webhook's TLS, proxy and Authorization; a TokenError when OAuth2 fails. */
  async post(
    url: string,
    auth: ReceiverAuth | null,
    headers: Record<string, string>,
    body: string,
    signal?: AbortSignal,
  ): Promise<HttpAnswer> {
    const via = (auth && this.agents.dispatcherFor(auth)) ?? this.shared;
    const expired = auth && this.agents.certificateProblem(auth);
    if (expired) throw expired;
    if (this.egress.proxied) {
      const problem = await this.egress.checkHost(hostOf(url));
      if (problem) throw problem;
    }
    if (auth?.basic) headers.Authorization = this.basicHeader(auth.basic);
    const client = auth?.oauth2;
    if (!client) return this.sender.post(url, headers, body, signal, via);
    let token = await this.tokens.token(client, signal);
    headers.Authorization = `Bearer ${token}`;
    const answer = await this.sender.post(url, headers, body, signal, via);
    if (answer.status !== 401) return answer;
    // The receiver no longer takes the token (revoked, rotated keys): one new token, one more try.
    this.tokens.invalidate(client, token);
    token = await this.tokens.token(client, signal);
    headers.Authorization = `Bearer ${token}`;
    return this.sender.post(url, headers, body, signal, via);
  }

  private basicHeader(basic: BasicAuth): string {
    let header = this.basicHeaders.get(basic);
    if (header === undefined) {
      header = `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`;
      this.basicHeaders.set(basic, header);
    }
    return header;
  }

  async close(): Promise<void> {
    await this.agents.close();
    await this.shared?.close();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
