/**
 * A backup holds no usable secret (issue 26): without HOOKD_ENCRYPTION_KEY, the first start on SQLite generates a key
 * into encryption.key beside hookd.db (mode 0600, never inside the database) and says so once; later starts reuse it;
 * HOOKD_ENCRYPTION_KEY_FILE puts it elsewhere; a copy of the database without its key file refuses to start and says
 * why; secrets left plain by an older hookd are sealed with the generated key.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { createHookd } from '../../src/hookd.js';
import { verifySignature } from '../../src/signing/netserver.js';
import { call, testConfig, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let root: string;
let receiver: Receiver;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'hookd-keyfile-'));
  receiver = await Receiver.start();
});
after(async () => {
  await receiver.close();
  rmSync(root, { recursive: true, force: true });
});

/** Starts hookd on `dataDir` with a logger whose lines the test reads. */
async function start(dataDir: string, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const hookd = await createHookd(testConfig(dataDir, env, { pollIntervalMs: 100 }), { logger });
  return { hookd, url: await hookd.listen(), lines };
}

function stored(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'hookd.db'), { readonly: true });
  try {
    return db.prepare('SELECT secret FROM webhooks ORDER BY id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('the encryption key file', () => {
  const data = () => join(root, 'data');

  it('is generated on the first start beside the data with mode 0600, said once, and never in the database', async () => {
    const first = await start(data());
    const keyFile = join(data(), 'encryption.key');
    assert.ok(existsSync(keyFile), 'encryption.key beside hookd.db');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    assert.equal(Buffer.from(key, 'base64').length, 32);
    assert.equal(first.lines.filter((l) => l.includes('generated the encryption key')).length, 1, first.lines.join(''));
    assert.ok(!first.lines.join('').includes(key), 'the key itself is never logged');
    const created = await call(first.url, 'POST', '/api/v1/Webhook', { body: webhookBody(receiver.url, { Secret: 'file-key-secret' }) });
    assert.equal(created.status, 200, created.text);
    await first.hookd.close();
    assert.match(stored(data())[0]!, /^enc:v1:/);
    for (const f of ['hookd.db', 'hookd.db-wal']) {
      if (existsSync(join(data(), f))) {
        const bytes = readFileSync(join(data(), f));
        assert.ok(!bytes.includes(key), `${f} does not hold the key`);
        assert.ok(!bytes.includes('file-key-secret'), `${f} does not hold the secret`);
      }
    }

    const second = await start(data());
    assert.equal(second.lines.filter((l) => l.includes('generated the encryption key')).length, 0, 'said once');
    assert.equal(readFileSync(keyFile, 'utf8').trim(), key, 'the same key');
    const count = receiver.count;
    await second.hookd.signal({ eventName: 'contact.created', primaryKey: 1 });
    await receiver.waitFor(count + 1);
    const got = receiver.received.at(-1)!;
    assert.ok(verifySignature(got.body, got.headers['x-superoffice-signature'] as string, 'file-key-secret'), 'signs with the real secret');
    await second.hookd.close();
  });

  it('a copy of the database without its key file refuses to start and says which file it needs', async () => {
    const restored = join(root, 'restored');
    mkdirSync(restored);
    copyFileSync(join(data(), 'hookd.db'), join(restored, 'hookd.db'));
    await assert.rejects(start(restored), /key file .*encryption\.key does not exist.*cannot be read/s);
    assert.ok(!existsSync(join(restored, 'encryption.key')), 'no new key was made over the sealed secrets');
    copyFileSync(join(data(), 'encryption.key'), join(restored, 'encryption.key'));
    const back = await start(restored);
    const list = await call(back.url, 'GET', '/api/v1/Webhook');
    assert.equal((list.json as Array<{ Secret: string }>)[0]!.Secret, 'file-key-secret');
    await back.hookd.close();
  });

  it('HOOKD_ENCRYPTION_KEY_FILE puts it elsewhere; secrets an older hookd stored plain are sealed with it', async () => {
    const dir = join(root, 'elsewhere-data');
    const keyFile = join(root, 'keys', 'hookd.key');
    const first = await start(dir, { HOOKD_ENCRYPTION_KEY_FILE: keyFile });
    assert.equal(
      (await call(first.url, 'POST', '/api/v1/Webhook', { body: webhookBody(receiver.url, { Secret: 'old-plain' }) })).status,
      200,
    );
    await first.hookd.close();
    assert.ok(existsSync(keyFile));
    assert.ok(!existsSync(join(dir, 'encryption.key')), 'not beside the data');
    // What a database written before sealing looks like: the secret in the clear.
    const db = new Database(join(dir, 'hookd.db'));
    db.prepare("UPDATE webhooks SET secret = 'old-plain'").run();
    db.close();
    const again = await start(dir, { HOOKD_ENCRYPTION_KEY_FILE: keyFile });
    assert.match(stored(dir)[0]!, /^enc:v1:/, 'sealed at start');
    await again.hookd.close();
  });

  it('rotates from the file key to HOOKD_ENCRYPTION_KEY listed with the file key as previous', async () => {
    const fileKey = readFileSync(join(data(), 'encryption.key'), 'utf8').trim();
    const before = stored(data())[0]!.split(':')[2];
    const next = Buffer.alloc(32, 7).toString('base64');
    const rotated = await start(data(), { HOOKD_ENCRYPTION_KEY: next, HOOKD_PREVIOUS_ENCRYPTION_KEYS: fileKey });
    await rotated.hookd.close();
    assert.notEqual(stored(data())[0]!.split(':')[2], before);
  });

  it('refuses a key file that holds no key, and one that is a folder, naming the file', async () => {
    const dir = join(root, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'encryption.key'), 'x'.repeat(100_000), { mode: 0o600 });
    await assert.rejects(start(dir), /encryption key file .*encryption\.key must be 32 random bytes/);
    const folder = join(root, 'folder-key');
    mkdirSync(folder);
    await assert.rejects(
      start(join(root, 'bad2'), { HOOKD_ENCRYPTION_KEY_FILE: folder }),
      /encryption key file .*folder-key cannot be read/,
    );
  });
});
