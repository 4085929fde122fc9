/**
 * Webhook secrets at rest: encrypted with HOOKD_ENCRYPTION_KEY (or the generated key file), never in the clear in the
 * database, still signing deliveries; rotated to a new key at start; refused loudly when the key is missing. The
 * receiver credentials of issue 25 (a client certificate's key, an OAuth2 client secret, a basic-auth password) likewise.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { loadConfig } from '../../src/config/settings.js';
import type { Hookd } from '../../src/hookd.js';
import { verifySignature } from '../../src/signing/netserver.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { call, listenOn, webhookBody } from '../helpers/harness.js';
import { selfSignedCertificate, type TestCertificate } from '../helpers/certificate.js';
import { Receiver } from '../helpers/receiver.js';
import { freshPostgres, POSTGRES_URL } from '../helpers/stores.js';

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('hex');
let dataDir: string;
let receiver: Receiver;
let clientCert: TestCertificate;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookd-secrets-'));
  receiver = await Receiver.start();
  clientCert = selfSignedCertificate();
});
after(async () => {
  await receiver.close();
  clientCert.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

function start(env: Record<string, string>): Promise<{ hookd: Hookd; url: string }> {
  return listenOn(dataDir, { env });
}

function storedSecrets(): string[] {
  const db = new Database(join(dataDir, 'hookd.db'), { readonly: true });
  try {
    return (db.prepare('SELECT secret FROM webhooks ORDER BY id').all() as Array<{ secret: string }>).map((r) => r.secret);
  } finally {
    db.close();
  }
}

describe('webhook secrets at rest', () => {
  it('seals them with the generated key file without a key, moves them to HOOKD_ENCRYPTION_KEY, and signs with the real secret', async () => {
    const plain = await start({});
    assert.equal(
      (await call(plain.url, 'POST', '/api/v1/Webhook', { body: webhookBody(receiver.url, { Secret: 'first-secret' }) })).status,
      200,
    );
    await plain.hookd.close();
    const fileKey = readFileSync(join(dataDir, 'encryption.key'), 'utf8').trim();
    const [first] = storedSecrets();
    assert.match(first!, /^enc:v1:[0-9a-f]{8}:/, 'sealed with the key of the generated key file');

    const sealed = await start({ HOOKD_ENCRYPTION_KEY: key1, HOOKD_PREVIOUS_ENCRYPTION_KEYS: fileKey });
    const stored = storedSecrets();
    assert.match(stored[0]!, /^enc:v1:[0-9a-f]{8}:/);
    assert.notEqual(stored[0]!.split(':')[2], first!.split(':')[2], 'resealed with HOOKD_ENCRYPTION_KEY at start');
    const created = await call(sealed.url, 'POST', '/api/v1/Webhook', { body: webhookBody(receiver.url, { Secret: 'second-secret' }) });
    assert.equal(created.status, 200);
    assert.equal(created.json.Secret, 'second-secret', 'the API shows the secret itself');
    const all = storedSecrets();
    assert.ok(
      all.every((s) => s.startsWith('enc:v1:') && !s.includes('secret')),
      `stored: ${all.join(' ')}`,
    );

    await sealed.hookd.signal({ eventName: 'contact.created', primaryKey: 7 });
    await receiver.waitFor(2);
    const bodies = receiver.received.slice(-2);
    const secrets = ['first-secret', 'second-secret'];
    for (const got of bodies) {
      const header = got.headers['x-superoffice-signature'] as string;
      assert.ok(
        secrets.some((s) => verifySignature(got.body, header, s)),
        'each delivery is signed with the plain secret',
      );
    }
    await sealed.hookd.close();
  });

  it("a secret rotation's previous secret is sealed too, and still signs during the overlap", async () => {
    const sealed = await start({ HOOKD_ENCRYPTION_KEY: key1 });
    const rotated = await call(sealed.url, 'POST', '/api/v1/Webhook/1/Secret/Rotate', { body: { Secret: 'first-secret-rotated' } });
    assert.equal(rotated.status, 200, rotated.text);
    const db = new Database(join(dataDir, 'hookd.db'), { readonly: true });
    const row = db.prepare('SELECT secret, previous_secret FROM webhooks WHERE id = 1').get() as Record<string, string>;
    db.close();
    assert.match(row.secret!, /^enc:v1:/);
    assert.match(row.previous_secret!, /^enc:v1:/, 'the previous secret is sealed');
    assert.ok(!row.previous_secret!.includes('secret'));
    const count = receiver.count;
    await sealed.hookd.signal({ eventName: 'contact.created', primaryKey: 8 });
    await receiver.waitFor(count + 2);
    const first = receiver.received
      .slice(-2)
      .find((r) => verifySignature(r.body, r.headers['x-superoffice-signature'] as string, 'first-secret'));
    assert.ok(first, "NetServer's signature keeps the previous secret until the new one is confirmed");
    await sealed.hookd.close();
  });

  it('seals the client key, the OAuth2 client secret and the basic-auth password, and never returns them', async () => {
    const sealed = await start({ HOOKD_ENCRYPTION_KEY: key1 });
    const withCert = await call(sealed.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/cert`, {
        Secret: 'third-secret',
        ReceiverAuth: {
          ClientCertificate: { Certificate: clientCert.cert, Key: clientCert.key },
          Basic: { UserName: 'bob', Password: 'basic-pass-word' },
        },
      }),
    });
    assert.equal(withCert.status, 200, withCert.text);
    const withOAuth = await call(sealed.url, 'POST', '/api/v1/Webhook', {
      body: webhookBody(`${receiver.url}/oauth`, {
        State: 'Stopped',
        Secret: 'fourth-secret',
        ReceiverAuth: { OAuth2: { TokenUrl: 'https://auth.example.com/token', ClientId: 'hookd', ClientSecret: 'oauth-client-secret' } },
      }),
    });
    assert.equal(withOAuth.status, 200, withOAuth.text);
    for (const shown of [withCert.text, withOAuth.text, (await call(sealed.url, 'GET', '/api/v1/Webhook')).text]) {
      assert.ok(!shown.includes('basic-pass-word') && !shown.includes('oauth-client-secret') && !shown.includes('PRIVATE KEY'));
    }
    const db = new Database(join(dataDir, 'hookd.db'), { readonly: true });
    const rows = db
      .prepare('SELECT client_key, oauth2, oauth2_secret, basic_password FROM webhooks WHERE id > 2 ORDER BY id')
      .all() as Array<Record<string, string | null>>;
    db.close();
    assert.match(rows[0]!.client_key!, /^enc:v1:/);
    assert.match(rows[0]!.basic_password!, /^enc:v1:/);
    assert.match(rows[1]!.oauth2_secret!, /^enc:v1:/);
    assert.ok(!rows[1]!.oauth2!.includes('oauth-client-secret'), 'the OAuth2 settings column holds no secret');
    // The password opens for the delivery: the receiver gets it in the clear, over the wire only.
    const count = receiver.count;
    await sealed.hookd.signal({ eventName: 'contact.created', primaryKey: 9 });
    await receiver.waitFor(count + 3);
    const toCert = receiver.received.slice(-3).find((r) => r.path === '/cert');
    assert.equal(toCert?.headers.authorization, `Basic ${Buffer.from('bob:basic-pass-word').toString('base64')}`);
    await sealed.hookd.close();
  });

  it('rotates to a new key at start when the old one is listed as previous', async () => {
    const before = storedSecrets();
    const rotated = await start({ HOOKD_ENCRYPTION_KEY: key2, HOOKD_PREVIOUS_ENCRYPTION_KEYS: key1 });
    const after = storedSecrets();
    const newId = after[0]!.split(':')[2];
    assert.notEqual(newId, before[0]!.split(':')[2]);
    assert.ok(
      after.every((s) => s.split(':')[2] === newId),
      'every secret is under the new key',
    );
    const db = new Database(join(dataDir, 'hookd.db'), { readonly: true });
    const previous = db.prepare('SELECT previous_secret FROM webhooks WHERE id = 1').pluck().get() as string;
    db.close();
    assert.equal(previous.split(':')[2], newId, "a rotation's previous secret is resealed as well");
    const list = await call(rotated.url, 'GET', '/api/v1/Webhook');
    assert.deepEqual(
      (list.json as Array<{ Secret: string }>).map((w) => w.Secret),
      ['first-secret-rotated', 'second-secret', 'third-secret', 'fourth-secret'],
    );
    // The receiver credentials are resealed under the new key, and open to what was given.
    const db2 = new Database(join(dataDir, 'hookd.db'), { readonly: true });
    const creds = db2.prepare('SELECT client_key, oauth2_secret, basic_password FROM webhooks WHERE id > 2 ORDER BY id').all() as Array<
      Record<string, string | null>
    >;
    db2.close();
    const box = new SecretBox(Buffer.from(key2, 'hex'));
    const sealedValues = [creds[0]!.client_key!, creds[0]!.basic_password!, creds[1]!.oauth2_secret!];
    assert.ok(sealedValues.every((v) => v.split(':')[2] === newId));
    assert.deepEqual(
      sealedValues.map((v) => box.open(v)),
      [clientCert.key, 'basic-pass-word', 'oauth-client-secret'],
    );
    await rotated.hookd.close();
  });

  it('refuses to start without the key that sealed the secrets, and rejects a malformed key', async () => {
    await assert.rejects(start({}), /HOOKD_ENCRYPTION_KEY/);
    await assert.rejects(start({ HOOKD_ENCRYPTION_KEY: key1 }), /HOOKD_ENCRYPTION_KEY/);
    const { errors } = loadConfig({ HOOKD_ENCRYPTION_KEY: 'too-short' });
    assert.match(errors.join('\n'), /HOOKD_ENCRYPTION_KEY must be 32 random bytes/);
  });

  it('detects a tampered sealed value', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('s3cret')!;
    assert.equal(box.open(sealed), 's3cret');
    const raw = Buffer.from(sealed.split(':')[3]!, 'base64');
    raw[raw.length - 1]! ^= 1;
    const tampered = `${sealed.split(':').slice(0, 3).join(':')}:${raw.toString('base64')}`;
    assert.throws(() => new SecretBox(null, []).open(sealed), /HOOKD_ENCRYPTION_KEY/);
    assert.throws(() => box.open(tampered));
  });
});

describe('receiver credentials at rest on PostgreSQL', { skip: POSTGRES_URL ? false : 'HOOKD_TEST_DATABASE_URL is not set' }, () => {
  it('seals the client key, the OAuth2 client secret and the basic-auth password, and reseals them under a new key', async () => {
    const { store, schema, drop } = await freshPostgres();
    const dir = mkdtempSync(join(tmpdir(), 'hookd-secrets-pg-'));
    const columns = async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const rows = await client.query(`SELECT client_key, oauth2, oauth2_secret, basic_password FROM ${schema}.webhooks ORDER BY id`);
        return rows.rows as Array<Record<string, string | null>>;
      } finally {
        await client.end();
      }
    };
    try {
      const first = await listenOn(dir, { env: { HOOKD_ENCRYPTION_KEY: key1 }, store });
      for (const receiverAuth of [
        { ClientCertificate: { Certificate: clientCert.cert, Key: clientCert.key }, Basic: { UserName: 'bob', Password: 'pg-basic-pass' } },
        { OAuth2: { TokenUrl: 'https://auth.example.com/token', ClientId: 'hookd', ClientSecret: 'pg-oauth-secret' } },
      ]) {
        const res = await call(first.url, 'POST', '/api/v1/Webhook', {
          body: webhookBody(`${receiver.url}/pg`, { State: 'Stopped', ReceiverAuth: receiverAuth }),
        });
        assert.equal(res.status, 200, res.text);
      }
      await first.hookd.close();
      const sealed = await columns();
      const values = (rows: typeof sealed) => [rows[0]!.client_key!, rows[0]!.basic_password!, rows[1]!.oauth2_secret!];
      const firstId = values(sealed)[0]!.split(':')[2];
      assert.ok(values(sealed).every((v) => v.startsWith('enc:v1:') && v.split(':')[2] === firstId));
      assert.ok(!sealed[1]!.oauth2!.includes('pg-oauth-secret'), 'the OAuth2 settings column holds no secret');

      const second = await listenOn(dir, {
        env: { HOOKD_ENCRYPTION_KEY: key2, HOOKD_PREVIOUS_ENCRYPTION_KEYS: key1 },
        store: PostgresStore.open(POSTGRES_URL, schema),
      });
      await second.hookd.close();
      const resealed = values(await columns());
      const newId = resealed[0]!.split(':')[2];
      assert.notEqual(newId, firstId);
      assert.ok(
        resealed.every((v) => v.split(':')[2] === newId),
        'every credential is under the new key',
      );
      const box = new SecretBox(Buffer.from(key2, 'hex'));
      assert.deepEqual(
        resealed.map((v) => box.open(v)),
        [clientCert.key, 'pg-basic-pass', 'pg-oauth-secret'],
      );
    } finally {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
