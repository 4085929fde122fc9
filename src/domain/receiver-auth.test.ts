import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HookdError } from './errors.js';
import { validateWebhookInput } from './webhook-input.js';

const rules = { plugins: ['webhook', 'crmscript'], allowPrivateTargets: false };
const good = { Name: 'n', Events: ['contact.created'], TargetUrl: 'https://example.com/hook' };
let cert = '';
let key = '';
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookd-ra-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
      '-days',
      '1',
      '-subj',
      '/CN=x',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'c.pem'), 'utf8');
  key = readFileSync(join(dir, 'k.pem'), 'utf8');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function problems(receiverAuth: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    validateWebhookInput({ ...good, ...extra, ReceiverAuth: receiverAuth }, rules);
    return [];
  } catch (e) {
    assert.ok(e instanceof HookdError);
    return e.fieldErrors.map((f) => `${f.property}: ${f.rule}`);
  }
}

const oauth = (over: Record<string, unknown> = {}) => ({
  OAuth2: { TokenUrl: 'https://auth.example.com/token', ClientId: 'id', ClientSecret: 's', ...over },
});

describe('ReceiverAuth input', () => {
  it('accepts each kind and reads it into the domain', () => {
    const input = validateWebhookInput(
      {
        ...good,
        ReceiverAuth: {
          ClientCertificate: { Certificate: cert, Key: key },
          CaCertificates: cert,
          ...oauth({ Method: 'client_secret_post' }),
        },
      },
      rules,
    );
    assert.equal(input.receiverAuth?.clientCertificate?.keyPem, key);
    assert.equal(input.receiverAuth?.caCertificates, cert);
    assert.equal(input.receiverAuth?.oauth2?.method, 'client_secret_post');
    assert.equal(validateWebhookInput({ ...good, ReceiverAuth: null }, rules).receiverAuth, null);
    assert.equal(validateWebhookInput(good, rules).receiverAuth, null);
  });

  const hostile: Array<[string, unknown, RegExp]> = [
    ['garbage PEM', { ClientCertificate: { Certificate: 'not a certificate', Key: key } }, /ClientCertificate.Certificate: must be PEM/],
    [
      'a PEM block that does not parse',
      { CaCertificates: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
      /CaCertificates: holds a certificate block that does not parse/,
    ],
    ['a huge certificate', { ClientCertificate: { Certificate: cert.repeat(100), Key: key } }, /at most 16384 characters/],
    ['a huge CA bundle', { CaCertificates: cert.repeat(200) }, /CaCertificates: must be at most 65536/],
    ['a key that is not PEM', { ClientCertificate: { Certificate: cert, Key: 'xyz' } }, /Key: must be an unencrypted private key/],
    [
      "someone else's key",
      {
        ClientCertificate: {
          Certificate: cert,
          Key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
        },
      },
      /is not the certificate's private key/,
    ],
    ['a certificate without its key', { ClientCertificate: { Certificate: cert } }, /needs both Certificate and Key/],
    // PostgreSQL refuses a NUL in a text value: a 500 there before this check.
    ['a NUL before the certificate', { ClientCertificate: { Certificate: `\u0000${cert}`, Key: key } }, /Certificate: must be PEM text/],
    ['a NUL in the key', { ClientCertificate: { Certificate: cert, Key: `${key}\u0000` } }, /Key: must be PEM text/],
    ['a NUL after the CA bundle', { CaCertificates: `${cert}\u0000junk` }, /CaCertificates: must be PEM text/],
    ['an escape character in the CA bundle', { CaCertificates: `\u001b[31m${cert}` }, /CaCertificates: must be PEM text/],
    ['an http token URL', oauth({ TokenUrl: 'http://auth.example.com/token' }), /TokenUrl: must be an https URL/],
    ['a loopback token URL', oauth({ TokenUrl: 'https://127.0.0.1/token' }), /TokenUrl: .*(loopback|private|not allowed)/i],
    ['a private-network token URL', oauth({ TokenUrl: 'https://10.0.0.5/token' }), /TokenUrl: .*(private|not allowed)/i],
    ['a metadata-service token URL', oauth({ TokenUrl: 'https://169.254.169.254/latest' }), /TokenUrl: /],
    ['a token URL that is no URL', oauth({ TokenUrl: 'javascript:alert(1)' }), /TokenUrl: /],
    [
      'an OAuth2 client without a secret',
      { OAuth2: { TokenUrl: 'https://auth.example.com/t', ClientId: 'id' } },
      /ClientSecret: is required/,
    ],
    ['a control character in the client secret', oauth({ ClientSecret: 'a\r\nb' }), /ClientSecret: must be printable ASCII/],
    ['an unknown method', oauth({ Method: 'private_key_jwt' }), /Method: must be/],
    ['OAuth2 and Basic at once', { ...oauth(), Basic: { UserName: 'u', Password: 'p' } }, /choose one/],
    ['a colon in the basic user', { Basic: { UserName: 'a:b', Password: 'p' } }, /UserName: must be printable ASCII without a colon/],
    ['a huge password', { Basic: { UserName: 'u', Password: 'p'.repeat(1_000_000) } }, /Password: must be at most 400/],
    ['a string instead of an object', 'mtls please', /ReceiverAuth: must be an object/],
    ['a list instead of an object', [1, 2], /ReceiverAuth: must be an object/],
    ['a number where a PEM goes', { CaCertificates: 42 }, /CaCertificates: must be PEM text/],
    ['a nested object where a string goes', { Basic: { UserName: { toString: 'x' }, Password: 'p' } }, /UserName: must be a string/],
  ];
  for (const [what, value, rule] of hostile) {
    it(`refuses ${what}`, () => {
      const found = problems(value);
      assert.ok(
        found.some((p) => rule.test(p)),
        `${what}: ${found.join(' | ')}`,
      );
    });
  }

  it('takes JSON text, as XML and form bodies carry it', () => {
    const input = validateWebhookInput({ ...good, ReceiverAuth: JSON.stringify({ Basic: { UserName: 'u', Password: 'p' } }) }, rules);
    assert.deepEqual(input.receiverAuth?.basic, { user: 'u', password: 'p' });
    assert.ok(problems('{not json').some((p) => /must be a JSON object when given as text/.test(p)));
  });

  it('ignores prototype keys (they never reach the domain object)', () => {
    const raw = JSON.parse(
      `{"Basic": {"UserName": "u", "Password": "p", "__proto__": {"polluted": true}}, "constructor": {"prototype": {"x": 1}}}`,
    );
    const input = validateWebhookInput({ ...good, ReceiverAuth: raw }, rules);
    assert.deepEqual(input.receiverAuth?.basic, { user: 'u', password: 'p' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses an Authorization header beside OAuth2 or Basic, and ReceiverAuth on a crmscript webhook', () => {
    assert.ok(problems(oauth(), { Headers: { authorization: 'Bearer x' } }).some((p) => /may not set Authorization/.test(p)));
    assert.ok(problems(oauth(), { Type: 'crmscript', TargetUrl: 'script' }).some((p) => /HTTP webhooks only/.test(p)));
  });

  it("keeps what a NetServer client's carrier leaves out, and the secrets the shown form leaves out", () => {
    const stored = validateWebhookInput(
      { ...good, ReceiverAuth: { ...oauth(), ClientCertificate: { Certificate: cert, Key: key } } },
      rules,
    );
    const current = { ...stored, receiverAuth: stored.receiverAuth };
    assert.deepEqual(validateWebhookInput(good, rules, current).receiverAuth, stored.receiverAuth);
    const shown = {
      OAuth2: { TokenUrl: 'https://auth.example.com/token', ClientId: 'id', Scope: '', Audience: '', Method: 'client_secret_basic' },
      ClientCertificate: { Fingerprint: 'AA' },
    };
    assert.deepEqual(validateWebhookInput({ ...good, ReceiverAuth: shown }, rules, current).receiverAuth, stored.receiverAuth);
    // A certificate sent with the key field empty (the dashboard's form) keeps the stored key; it never drops mutual TLS.
    const emptyKey = validateWebhookInput({ ...good, ReceiverAuth: { ClientCertificate: { Certificate: cert, Key: '' } } }, rules, current);
    assert.deepEqual(emptyKey.receiverAuth?.clientCertificate, stored.receiverAuth?.clientCertificate);
    // A renewed certificate for the stored key may come alone; one for another key needs that key.
    const renewed = execFileSync('openssl', ['req', '-new', '-x509', '-key', join(dir, 'k.pem'), '-days', '2', '-subj', '/CN=renewed'], {
      encoding: 'utf8',
    });
    const alone = validateWebhookInput({ ...good, ReceiverAuth: { ClientCertificate: { Certificate: renewed } } }, rules, current);
    assert.deepEqual(alone.receiverAuth?.clientCertificate, { certPem: renewed, keyPem: key });
    const otherKey = execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=o'],
      { encoding: 'utf8' },
    );
    const refused = (raw: unknown, cur?: typeof current) => {
      try {
        validateWebhookInput({ ...good, ReceiverAuth: raw }, rules, cur);
        return [];
      } catch (e) {
        return (e as HookdError).fieldErrors.map((f) => `${f.property}: ${f.rule}`);
      }
    };
    assert.ok(refused({ ClientCertificate: { Certificate: otherKey } }, current).some((p) => /not the certificate's private key/.test(p)));
    // Without a stored key, an empty one is refused, not read as "no client certificate".
    assert.ok(refused({ ClientCertificate: { Certificate: cert, Key: '' } }).some((p) => /needs both Certificate and Key/.test(p)));
    assert.ok(refused({ ClientCertificate: { Certificate: null, Key: null } }).some((p) => /needs both Certificate and Key/.test(p)));
    assert.ok(refused({ ClientCertificate: { Key: key } }, current).some((p) => /needs both Certificate and Key/.test(p)));
    // Another client id needs its own secret.
    assert.throws(
      () => validateWebhookInput({ ...good, ReceiverAuth: { OAuth2: { ...shown.OAuth2, ClientId: 'other' } } }, rules, current),
      HookdError,
    );
  });
});
