/**
 * Per-webhook dispatchers for mutual TLS and private CAs: one undici Agent per distinct client certificate, key and
 * CA bundle, kept while the credentials stay the same, so connections (and their handshakes) are reused across
 * deliveries like the shared agent's. A webhook whose credentials change gets a new agent; the old one closes when
 * the cache needs the room (its idle connections end with the keep-alive timeout anyway).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ReceiverAuth } from '../domain/receiver-auth.js';
import type { ConnectTls, Egress } from './egress-proxy.js';
import { SendError } from './http-sender.js';

/** Distinct credential sets with an agent at most: past that the oldest agent is closed. */
const AGENT_CACHE_SIZE = 1_000;

export class ReceiverAgents {
  /** The owner reads a webhook's row once per change, so the object itself is the fast key (no hash per attempt). */
  private readonly byAuth = new WeakMap<ReceiverAuth, Dispatcher | null>();
  private readonly byCredentials = new Map<string, Dispatcher>();
  /** A client certificate's validity (epoch ms), read once per credentials object. */
  private readonly validity = new WeakMap<ReceiverAuth, { from: number; to: number; subject: string }>();

  constructor(private readonly egress: Egress) {}

  /** The dispatcher for a webhook's receiver; null when it needs no TLS of its own (the shared one serves). */
  dispatcherFor(auth: ReceiverAuth): Dispatcher | null {
    const known = this.byAuth.get(auth);
    if (known !== undefined) return known;
    const tls = tlsOptions(auth);
    let dispatcher: Dispatcher | null = null;
    if (tls) {
      const key = createHash('sha256')
        .update(`${tls.cert ?? ''}\0${tls.key ?? ''}\0${tls.ca ?? ''}`)
        .digest('base64');
      dispatcher = this.byCredentials.get(key) ?? null;
      if (!dispatcher) {
        dispatcher = this.egress.dispatcher(tls);
        if (this.byCredentials.size >= AGENT_CACHE_SIZE) {
          const [oldestKey, oldest] = this.byCredentials.entries().next().value as [string, Dispatcher];
          this.byCredentials.delete(oldestKey);
          void oldest.close().catch(() => undefined);
        }
        this.byCredentials.set(key, dispatcher);
      }
    }
    this.byAuth.set(auth, dispatcher);
    return dispatcher;
  }

  /**
   * A TLS-stage failure when the client certificate is outside its validity, else null. Checked by hookd because
   * a TLS 1.3 receiver refuses the certificate only after the handshake, by closing the socket (seen as a network
   * error); judged by the real time, as both ends of the handshake judge it, never a test clock.
   */
  certificateProblem(auth: ReceiverAuth, now = Date.now()): SendError | null {
    if (!auth.clientCertificate) return null;
    let v = this.validity.get(auth);
    if (!v) {
      const c = new X509Certificate(auth.clientCertificate.certPem);
      v = { from: Date.parse(c.validFrom), to: Date.parse(c.validTo), subject: c.subject };
      this.validity.set(auth, v);
    }
    if (now > v.to) return new SendError('tls', `TLS: the client certificate (${v.subject}) expired at ${new Date(v.to).toISOString()}`);
    if (now < v.from)
      return new SendError('tls', `TLS: the client certificate (${v.subject}) is not valid before ${new Date(v.from).toISOString()}`);
    return null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.byCredentials.values()].map((d) => d.close().catch(() => undefined)));
    this.byCredentials.clear();
  }
}

/** The TLS a webhook's connections use, or null when it has neither a client certificate nor a CA. */
export function tlsOptions(auth: ReceiverAuth): ConnectTls | null {
  if (!auth.clientCertificate && !auth.caCertificates) return null;
  const tls: ConnectTls = {};
  if (auth.clientCertificate) {
    tls.cert = auth.clientCertificate.certPem;
    tls.key = auth.clientCertificate.keyPem;
  }
  // Replaces the public roots for this webhook only: its receiver must chain to the operator's CA.
  if (auth.caCertificates) tls.ca = auth.caCertificates;
  return tls;
}
