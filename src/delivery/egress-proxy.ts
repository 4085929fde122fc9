/**
 * The egress side of the send path: which undici dispatcher carries a request — an Agent straight to the receiver,
 * or undici's EnvHttpProxyAgent through the operator's forward proxy (HOOKD_HTTPS_PROXY / HOOKD_HTTP_PROXY, hosts
 * in HOOKD_NO_PROXY reached directly). Each dispatcher is made with the TLS options of a webhook's client
 * certificate and private CA (receiver-tls.ts), or none for the shared one.
 *
 * Target checks through a proxy: the proxy resolves the receiver's name, so the checked lookup of a direct
 * connection never runs. hookd resolves the name itself first and refuses a receiver whose addresses it may not
 * send to (the same addressProblem as a direct connection), remembering the verdict per host for a while.
 */
import { lookup } from 'node:dns/promises';
import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';
import { addressProblem } from '../domain/target-url.js';
import { checkedLookup, SendError, type SenderOptions } from './http-sender.js';

/** TLS options a webhook's connections present and trust (undici's `connect` / `requestTls`). */
export interface ConnectTls {
  cert?: string;
  key?: string;
  ca?: string;
}

export interface ProxySettings {
  /** '' = none. */
  httpsProxy: string;
  httpProxy: string;
  noProxy: string;
}

// A host's addresses checked once a minute at most: the same horizon as a keep-alive connection's reuse.
const VERDICT_TTL_MS = 60_000;
const VERDICT_CACHE_SIZE = 10_000;

/** Makes dispatchers for the send path; `proxied` says whether any go through a proxy. */
export class Egress {
  readonly proxied: boolean;
  private readonly verdicts = new Map<string, { until: number; problem: SendError | null }>();

  constructor(
    private readonly options: SenderOptions,
    private readonly proxy: ProxySettings = { httpsProxy: '', httpProxy: '', noProxy: '' },
  ) {
    this.proxied = proxy.httpsProxy !== '' || proxy.httpProxy !== '';
  }

  /** A new dispatcher presenting `tls` (client certificate, CA) to receivers; the caller owns and closes it. */
  dispatcher(tls: ConnectTls | null): Dispatcher {
    const o = this.options;
    const connect = {
      timeout: o.timeoutMs,
      lookup: checkedLookup(o.allowPrivateTargets, o.allowedNetworks) as never,
      ...(tls ?? {}),
    };
    const agentOptions = { connections: o.connectionsPerOrigin, keepAliveTimeout: 30_000, connect };
    if (!this.proxied) return new Agent(agentOptions);
    return new EnvHttpProxyAgent({
      ...agentOptions,
      // Empty strings would make undici fall back to the process's own variables: config already read those.
      httpProxy: this.proxy.httpProxy || undefined,
      httpsProxy: this.proxy.httpsProxy || this.proxy.httpProxy || undefined,
      noProxy: this.proxy.noProxy,
      requestTls: tls ?? undefined,
    });
  }

  /**
   * Through a proxy only: null when `host`'s addresses may be sent to, else the target-check failure. Resolved by
   * hookd itself, since the proxy's own resolution is out of its sight.
   */
  async checkHost(host: string, now = Date.now()): Promise<SendError | null> {
    const known = this.verdicts.get(host);
    if (known && known.until > now) return known.problem;
    let problem: SendError | null = null;
    try {
      const name = host.startsWith('[') ? host.slice(1, -1) : host;
      for (const a of await lookup(name, { all: true })) {
        const p = addressProblem(a.address, this.options.allowPrivateTargets, this.options.allowedNetworks);
        if (p) {
          problem = new SendError('target-check', `TargetUrl host '${host}' ${p}`);
          break;
        }
      }
    } catch (e) {
      // Not cached: a resolver hiccup is tried again next attempt.
      return new SendError('connect', `Could not resolve '${host}' to check it before the proxy: ${(e as Error).message}`);
    }
    if (this.verdicts.size >= VERDICT_CACHE_SIZE) this.verdicts.clear();
    this.verdicts.set(host, { until: now + VERDICT_TTL_MS, problem });
    return problem;
  }
}
