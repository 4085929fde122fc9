/**
 * Where the links hookd builds point (the portal link, `_Links`, `Location`, a new tenant's `ApiBase`), and
 * whether the browser is on https (Secure cookies). The rule:
 * - HOOKD_PUBLIC_URL set: every link starts with it; the request's Host and X-Forwarded-Host are never read.
 * - unset, in development (--dev, HOOKD_ALLOW_PRIVATE_TARGETS): the request's scheme and host, as Fastify reads
 *   them (X-Forwarded-Proto and -Host only from a proxy in HOOKD_TRUST_PROXY).
 * - unset otherwise: links are relative (`/api/v1/Webhook/7`, `/portal/#token=…`). A Host header is the
 *   caller's to choose, so a link built from it could send a portal token anywhere (`Host: evil.example`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { linkOriginOf } from '../config/listener-settings.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What links in this answer start with: `https://hooks.example.com`, `http://<Host>` in --dev, or '' (relative). */
    readonly linkOrigin: string;
  }
}

export interface LinkPolicy {
  /** HOOKD_PUBLIC_URL ('' when unset). */
  publicUrl: string;
  /** Whether the request's own Host may make links when no public URL is set (development only). */
  fromHost: boolean;
}

/** Gives every request its `linkOrigin` by the rule above. */
export function registerLinks(app: FastifyInstance, policy: LinkPolicy): void {
  const fixed = linkOriginOf(policy.publicUrl);
  app.decorateRequest('linkOrigin', {
    getter(this: FastifyRequest): string {
      if (fixed !== '' || !policy.fromHost) return fixed;
      const host = this.host;
      return host ? `${this.protocol}://${host}` : '';
    },
  });
}

/** Whether the browser reached hookd over https: its own TLS, a trusted proxy's X-Forwarded-Proto, or an https HOOKD_PUBLIC_URL. */
export function overHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https' || req.linkOrigin.startsWith('https://');
}
