/**
 * Which targets hookd may POST to (decisions.md: "which targets are allowed"): https only, never
 * loopback, private, link-local, carrier-grade NAT, unique-local or metadata addresses — unless the
 * development switch allows http and private networks, or the address lies in a network the user allowed
 * (HOOKD_ALLOWED_NETWORKS).
 */
import ipaddr from 'ipaddr.js';

/** True for a network in CIDR form (10.0.0.0/8, fd00::/8). */
export function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

function inAllowedNetwork(ip: ipaddr.IPv4 | ipaddr.IPv6, allowedNetworks: readonly string[]): boolean {
  return allowedNetworks.some((cidr) => {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    return net.kind() === ip.kind() && ip.match(net as never, bits);
  });
}

/** Why an IP address may not be a target, or null when it may. Mapped IPv6 forms are unwrapped first. */
export function addressProblem(address: string, allowPrivate: boolean, allowedNetworks: readonly string[] = []): string | null {
  if (allowPrivate) return null;
  if (!ipaddr.isValid(address)) return `resolves to '${address}', which is not an IP address`;
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range === 'unicast' || inAllowedNetwork(ip, allowedNetworks)) return null;
  return `resolves to ${ip.toString()}, a ${range} address that hookd does not send to`;
}

/** Why a URL may not be a webhook target, judged without DNS, or null when it may. */
export function targetUrlProblem(raw: string, allowPrivate: boolean, allowedNetworks: readonly string[] = []): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `'${raw}' is not an absolute URL`;
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return allowPrivate
      ? `must use http or https, not '${url.protocol.replace(':', '')}'`
      : `must be an https URL (got '${url.protocol.replace(':', '')}'); set HOOKD_ALLOW_PRIVATE_TARGETS=1 to allow http in development`;
  }
  if (url.username || url.password) return 'may not contain a user name or password';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
    return 'may not point at localhost; set HOOKD_ALLOW_PRIVATE_TARGETS=1 to allow it in development';
  }
  if (ipaddr.isValid(host)) {
    const problem = addressProblem(host, allowPrivate, allowedNetworks);
    if (problem) {
      return `${problem.replace(/^resolves to/, 'points at')}; list its network in HOOKD_ALLOWED_NETWORKS, or set HOOKD_ALLOW_PRIVATE_TARGETS=1 in development`;
    }
  }
  return null;
}
