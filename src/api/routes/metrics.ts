/** `GET /metrics`: Prometheus text format, for a bearer of HOOKD_METRICS_TOKEN or a client on an allowed network. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import ipaddr from 'ipaddr.js';

export interface MetricsSource {
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsAccess {
  token: string;
  allow: readonly string[];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** With a token set, only its bearer; without one, only clients whose address is in an allowed network. */
export function mayReadMetrics(access: MetricsAccess, authorization: string | undefined, clientIp: string): boolean {
  if (access.token !== '') {
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return m !== null && sameSecret(m[1] as string, access.token);
  }
  if (!ipaddr.isValid(clientIp)) return false;
  const address = ipaddr.process(clientIp);
  return access.allow.some((cidr) => {
    try {
      const [range, bits] = ipaddr.parseCIDR(cidr);
      return address.kind() === range.kind() && address.match([range, bits]);
    } catch {
      return false; // not a CIDR: allows nobody
    }
  });
}

export async function metricsRoutes(app: FastifyInstance, metrics: MetricsSource, access: MetricsAccess): Promise<void> {
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!mayReadMetrics(access, req.headers.authorization, req.ip)) {
      return reply.code(access.token === '' ? 403 : 401).send({
        ErrorCode: 'metrics_forbidden',
        ErrorMessage:
          access.token === ''
            ? 'GET /metrics answers only the networks of HOOKD_METRICS_ALLOW (or set HOOKD_METRICS_TOKEN)'
            : 'GET /metrics needs Authorization: Bearer <HOOKD_METRICS_TOKEN>',
      });
    }
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}
