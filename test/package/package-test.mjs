// The installable package (issue 26), as a user meets it: `npm pack`, the tarball's contents (what a user needs and
// nothing else), an install into an empty folder, `hookd --version`, `npx hookd serve` answering /readyz and serving
// the dashboard, and a TypeScript receiver that imports verifySignature and the payload type from 'hookd', compiles
// under strict settings and checks a real signed delivery. Run by .ci/run (node test/package/package-test.mjs); it
// compiles better-sqlite3 for the install (about a minute), so it is not part of npm test.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(new URL('../..', import.meta.url).pathname);
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
const work = mkdtempSync(join(tmpdir(), 'hookd-package-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const step = (what) => console.log(`package: ${what}`);
const children = [];

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(url, what, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

try {
  step('npm pack (builds dist/ through prepack + prepare)');
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, HOOKD_BUILD_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const needed of [
    'package.json',
    'README.md',
    'LICENSE',
    'bin/hookd.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'dist/signing/netserver.d.ts',
    'dist/store/sqlite/migrations/001_initial.sql',
    'dist/store/postgres/migrations/001_initial.sql',
    'dist/ui/index.html',
    'dist/ui/app.js',
  ]) {
    assert.ok(files.includes(needed), `the tarball holds ${needed}`);
  }
  const unwanted = files.filter((f) => /^(src|test|bench|ui|scripts|docs|\.ci)\//.test(f) || /\.map$|\.test\.|tsconfig|eslint/.test(f));
  assert.deepEqual(unwanted, [], 'no sources, tests, bench, maps or tool configuration');
  const sqliteMigrations = files.filter((f) => f.startsWith('dist/store/sqlite/migrations/')).length;
  assert.equal(sqliteMigrations, files.filter((f) => f.startsWith('dist/store/postgres/migrations/')).length);
  step(`${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KB packed`);

  step('npm install of the tarball into an empty folder');
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'receiver', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: app,
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  const printed = execFileSync(npm, ['exec', '--no', '--', 'hookd', '--version'], { cwd: app, encoding: 'utf8' }).trim();
  assert.equal(printed, version, 'hookd --version');
  step(`hookd --version: ${printed}`);

  step('npx hookd serve');
  const port = await freePort();
  const server = spawn('npx', ['--no', 'hookd', 'serve'], {
    cwd: app,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      HOOKD_DATA_DIR: join(work, 'data'),
      HOOKD_ADMIN_USER: 'admin',
      HOOKD_ADMIN_PASSWORD: 'package-test-password',
      HOOKD_ALLOW_PRIVATE_TARGETS: '1',
      HOOKD_LOG_LEVEL: 'warn',
      HOOKD_ENCRYPTION_KEY: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/readyz`, 'hookd serve');
  const ui = await waitFor(`${base}/ui/`, 'the dashboard');
  assert.match(await ui.text(), /<html/i, 'the dashboard is in the package');

  step('a TypeScript receiver importing verifySignature and WebhookPayload from hookd');
  const secret = 'package-test-secret-0123456789';
  const receiverPort = await freePort();
  writeFileSync(
    join(app, 'receiver.ts'),
    `import { createServer } from 'node:http';
import { verifySignature, type WebhookPayload } from 'hookd';

let verified = 0;
createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const ok = verifySignature(body, req.headers['x-superoffice-signature'] as string | undefined, ${JSON.stringify(secret)});
    const payload = JSON.parse(body.toString('utf8')) as WebhookPayload;
    res.statusCode = ok ? 200 : 401;
    res.end();
    if (ok) console.log('verified ' + payload.Event);
    if (ok && payload.Event === 'contact.created' && ++verified > 0) process.exit(0);
  });
}).listen(${receiverPort}, '127.0.0.1', () => console.log('listening'));
`,
  );
  writeFileSync(join(app, 'wrong.ts'), `import { verifySignature } from 'hookd';\nverifySignature(1, 2, 3);\n`);
  const tscArgs = [
    '--strict',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--types',
    'node',
    '--typeRoots',
    join(repo, 'node_modules/@types'),
    '--skipLibCheck',
  ];
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, ...tscArgs, 'receiver.ts'], { cwd: app, stdio: 'inherit' });
  let wrongFailed = false;
  try {
    execFileSync(process.execPath, [tsc, ...tscArgs, '--noEmit', 'wrong.ts'], { cwd: app, stdio: 'pipe' });
  } catch (e) {
    wrongFailed = /TS2345/.test(String(e.stdout));
  }
  assert.ok(wrongFailed, "the package's types reject verifySignature(1, 2, 3)");

  const receiver = spawn(process.execPath, ['receiver.js'], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(receiver);
  let receiverOut = '';
  receiver.stdout.on('data', (d) => (receiverOut += d));
  const receiverExit = new Promise((r) => receiver.on('exit', (code) => r(code)));
  for (let i = 0; !receiverOut.includes('listening'); i++) {
    assert.ok(i < 300, 'the receiver listens');
    await new Promise((r) => setTimeout(r, 100));
  }

  const auth = `Basic ${Buffer.from('admin:package-test-password').toString('base64')}`;
  const headers = { authorization: auth, 'content-type': 'application/json', accept: 'application/json' };
  const created = await fetch(`${base}/api/v1/Webhook`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      Name: 'package',
      Events: ['contact.created'],
      TargetUrl: `http://127.0.0.1:${receiverPort}/hook`,
      Secret: secret,
    }),
  });
  assert.equal(created.status, 200, await created.text());
  const signalled = await fetch(`${base}/api/v1/Webhook/contact.created/42`, { method: 'POST', headers, body: '{}' });
  assert.equal(signalled.status, 204, await signalled.text());
  const code = await Promise.race([receiverExit, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
  assert.equal(code, 0, `the receiver verified a signed contact.created (it printed: ${receiverOut})`);
  step(`receiver: ${receiverOut.trim().replace(/\n/g, ', ')}`);

  // SIGTERM to npx and hookd under it (one process group); hookd drains and the port closes.
  process.kill(-server.pid, 'SIGTERM');
  await new Promise((r) => server.on('exit', r));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const open = await fetch(`${base}/healthz`).then(
      () => true,
      () => false,
    );
    if (!open) break;
    assert.ok(Date.now() < deadline, 'hookd stopped on SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
  }
  step('ok');
} finally {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c === children[0] ? -c.pid : c.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  rmSync(work, { recursive: true, force: true });
}
