// Runs hookd's container image (issue 26; .ci/container-test builds it first): as a non-root user with its data on a
// /data volume, a webhook created through the API gets a signed delivery on loopback, the health check answers,
// `podman stop` (SIGTERM) drains and exits 0, and after a restart the data is still there. Then two containers started
// together on one PostgreSQL (HOOKD_TEST_DATABASE_URL, a schema of their own) share the work: a webhook made through
// one is delivered for an event signalled through the other.
//   node test/container/container-test.mjs <image>
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';

const image = process.argv[2] ?? 'localhost/hookd:test';
const pgUrl = process.env.HOOKD_TEST_DATABASE_URL ?? '';
const tag = randomBytes(4).toString('hex');
const names = [];
const volume = `hookd-test-data-${tag}`;
const started = Date.now();
const step = (what) => console.log(`container: ${what} (${Math.round((Date.now() - started) / 1000)} s)`);
const podman = (...args) =>
  execFileSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const password = 'container-test-password';
const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
const headers = { authorization: auth, 'content-type': 'application/json', accept: 'application/json' };

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

// The receiver: every request with its body and signature header.
const received = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    received.push({ path: req.url, body: Buffer.concat(chunks), signature: req.headers['x-superoffice-signature'] });
    res.end('ok');
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

function signedFor(path, secret, event, from = 0) {
  return received.slice(from).find((r) => {
    if (r.path !== path) return false;
    const body = JSON.parse(r.body.toString('utf8'));
    return body.Event === event && r.signature === createHmac('sha256', secret).update(r.body).digest('base64');
  });
}

async function until(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const ready = (base) => until(`${base}/readyz`, async () => (await fetch(`${base}/readyz`)).status === 200, 90_000);
const api = (base, method, path, body) =>
  fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });

function run(name, port, env, args = []) {
  names.push(name);
  const flags = Object.entries({
    PORT: String(port),
    HOST: '127.0.0.1',
    HOOKD_ADMIN_PASSWORD: password,
    HOOKD_ALLOW_PRIVATE_TARGETS: '1',
    ...env,
  }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  podman('run', '-d', '--name', name, '--network', 'host', ...flags, ...args, image);
}

let schema = null;
try {
  // 1. SQLite on a volume.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const c1 = `hookd-test-${tag}`;
  podman('volume', 'create', volume);
  run(c1, port, {}, ['-v', `${volume}:/data`]);
  await ready(base);
  step('the container answers /readyz');
  assert.notEqual(podman('exec', c1, 'id', '-u'), '0', 'hookd does not run as root');
  assert.equal(podman('exec', c1, 'stat', '-c', '%a %U', '/data/encryption.key'), '600 hookd', 'the generated key file is 0600, hookd’s');
  podman('healthcheck', 'run', c1); // throws unless the HEALTHCHECK (GET /readyz) passes

  const secret = 'container-secret-0123456789';
  const created = await api(base, 'POST', '/api/v1/Webhook', {
    Name: 'container',
    Events: ['contact.created'],
    TargetUrl: `${receiverUrl}/sqlite`,
    Secret: secret,
  });
  assert.equal(created.status, 200, await created.text());
  assert.equal((await api(base, 'POST', '/api/v1/Webhook/contact.created/1', {})).status, 204);
  await until('a signed delivery from the container', async () => Boolean(signedFor('/sqlite', secret, 'contact.created')));
  step('a signed delivery arrived');

  podman('stop', '-t', '30', c1);
  assert.equal(podman('inspect', c1, '--format', '{{.State.ExitCode}}'), '0', 'SIGTERM drains and exits 0');
  podman('start', c1);
  await ready(base);
  const list = await (await api(base, 'GET', '/api/v1/Webhook')).json();
  assert.deepEqual(
    list.map((w) => w.Name),
    ['container'],
    'the webhook is still there after the restart',
  );
  const before = received.length;
  assert.equal((await api(base, 'POST', '/api/v1/Webhook/contact.created/2', {})).status, 204);
  await until('a signed delivery after the restart', async () => Boolean(signedFor('/sqlite', secret, 'contact.created', before)));
  step('restarted: the data is there and the secret still signs');
  podman('rm', '-f', c1);

  // 2. Two containers on one PostgreSQL.
  if (pgUrl === '') {
    step('HOOKD_TEST_DATABASE_URL is not set: the PostgreSQL part is skipped');
  } else {
    schema = `hookd_container_${tag}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { HOOKD_DATABASE_URL: url, HOOKD_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const ports = [await freePort(), await freePort()];
    // Started together, as compose starts its replicas.
    ports.forEach((p, i) => run(`hookd-test-${tag}-pg${i}`, p, env));
    const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`);
    await Promise.all([ready(a), ready(b)]);
    step('two containers on one PostgreSQL answer /readyz');
    const pgSecret = 'postgres-secret-0123456789';
    const made = await api(a, 'POST', '/api/v1/Webhook', {
      Name: 'pg',
      Events: ['person.created'],
      TargetUrl: `${receiverUrl}/pg`,
      Secret: pgSecret,
    });
    assert.equal(made.status, 200, await made.text());
    assert.equal((await api(b, 'GET', '/api/v1/Webhook')).status, 200);
    assert.equal((await api(b, 'POST', '/api/v1/Webhook/person.created/3', {})).status, 204);
    await until('a signed delivery through PostgreSQL', async () => Boolean(signedFor('/pg', pgSecret, 'person.created')));
    step('a webhook made through one, an event signalled through the other: delivered, signed');
  }
  step('ok');
} catch (e) {
  for (const name of names) {
    try {
      console.error(`--- logs of ${name}\n${podman('logs', '--tail', '40', name)}`);
    } catch {
      // gone
    }
  }
  throw e;
} finally {
  for (const name of names) {
    try {
      podman('rm', '-f', '-t', '5', name);
    } catch {
      // never started
    }
  }
  try {
    podman('volume', 'rm', '-f', volume);
  } catch {
    // none
  }
  if (schema) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
  receiver.close();
}
