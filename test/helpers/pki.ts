/**
 * A small PKI for one test run, made with Debian's openssl (node's crypto cannot write X.509): CAs, a server
 * certificate for 127.0.0.1 and client certificates signed by a CA, an expired one among them (`days: -1` makes
 * notAfter a day before notBefore). EC P-256; files in a fresh temporary folder that `remove()` deletes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  cert: string;
  key: string;
}

export interface Pki {
  /** The folder the files are in (`remove()` deletes it). */
  dir: string;
  ca(name: string): Issued;
  /** A certificate signed by `ca`; `server` adds subjectAltName IP:127.0.0.1. */
  issue(ca: Issued, name: string, options?: { days?: number; server?: boolean }): Issued;
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function testPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-pki-'));
  let n = 0;
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  const read = (base: string): Issued => ({
    cert: readFileSync(join(dir, `${base}.pem`), 'utf8'),
    key: readFileSync(join(dir, `${base}.key`), 'utf8'),
  });
  return {
    dir,
    ca(name) {
      const base = `ca${n++}`;
      run(['req', '-x509', ...EC, '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
      return read(base);
    },
    issue(ca, name, options = {}) {
      const base = `c${n++}`;
      writeFileSync(join(dir, `${base}-ca.pem`), ca.cert);
      writeFileSync(join(dir, `${base}-ca.key`), ca.key);
      run(['req', ...EC, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`]);
      const ext = join(dir, `${base}.ext`);
      writeFileSync(ext, options.server ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
      run([
        'x509',
        '-req',
        '-in',
        `${base}.csr`,
        '-CA',
        `${base}-ca.pem`,
        '-CAkey',
        `${base}-ca.key`,
        '-CAcreateserial',
        '-out',
        `${base}.pem`,
        '-days',
        String(options.days ?? 1),
        '-extfile',
        ext,
      ]);
      return read(base);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
