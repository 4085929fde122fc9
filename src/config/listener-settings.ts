/**
 * The checks behind HOOKD_TRUST_PROXY, HOOKD_PUBLIC_URL and HOOKD_TLS_CERT/HOOKD_TLS_KEY: how hookd faces
 * its clients. `loadConfig` lists their problems at start; `createHookd` reads the TLS files with the same
 * function, so a pair that passed the check is the pair that is served.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import ipaddr from 'ipaddr.js';

/** The certificate (chain) and private key Fastify's `https` option takes. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** The names proxy-addr (Fastify's trustProxy) knows besides addresses and networks. */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Why one HOOKD_TRUST_PROXY entry is not an address, a CIDR network or one of proxy-addr's names; null when it is. */
export function trustProxyProblem(entry: string): string | null {
  if (PROXY_NAMES.includes(entry) || ipaddr.isValid(entry)) return null;
  try {
    ipaddr.parseCIDR(entry);
    return null;
  } catch {
    return `must list addresses or networks such as 10.0.0.5, 10.0.0.0/8 or loopback (got '${entry}')`;
  }
}

/** Why HOOKD_PUBLIC_URL is not an http(s) origin with an optional path; null when it is (or is empty). */
export function publicUrlProblem(value: string): string | null {
  if (value === '') return null;
  const rule = `must be an http or https address without query, fragment or credentials, e.g. https://hooks.example.com (got '${value}')`;
  try {
    const url = new URL(value);
    const plain = url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    return (url.protocol === 'https:' || url.protocol === 'http:') && plain && !value.includes('?') && !value.includes('#') ? null : rule;
  } catch {
    return rule;
  }
}

/** HOOKD_PUBLIC_URL as links start with it: without a trailing slash ('' when unset). */
export function linkOriginOf(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}

/**
 * Reads HOOKD_TLS_CERT and HOOKD_TLS_KEY: null when neither is set; throws a sentence naming the settings when
 * only one is, a file cannot be read, or the two are not a certificate and its key.
 */
export function readTlsFiles(certPath: string, keyPath: string): TlsFiles | null {
  if (certPath === '' && keyPath === '') return null;
  if (certPath === '' || keyPath === '') {
    throw new Error(
      `HOOKD_TLS_CERT and HOOKD_TLS_KEY go together: set both (PEM files) for https, or neither (only ${certPath === '' ? 'HOOKD_TLS_KEY' : 'HOOKD_TLS_CERT'} is set)`,
    );
  }
  const read = (env: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`${env} cannot be read: ${(e as Error).message}`);
    }
  };
  const files = { cert: read('HOOKD_TLS_CERT', certPath), key: read('HOOKD_TLS_KEY', keyPath) };
  try {
    createSecureContext(files);
  } catch (e) {
    throw new Error(`HOOKD_TLS_CERT and HOOKD_TLS_KEY are not a PEM certificate and its private key: ${(e as Error).message}`);
  }
  return files;
}
