/** `hookd listen` prints and verifies real deliveries; the receiver middleware accepts good and refuses bad signatures. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { fastifySuperOfficeSignature, superOfficeSignature } from '../../src/receiver/middleware.js';
import { signNetServer } from '../../src/signing/netserver.js';
import { runCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/harness.js';
import { type HookdProcess, freePort, spawnHookd } from '../helpers/process.js';

let server: HookdProcess;
before(async () => {
  // The README's walkthrough: `HOOKD_ADMIN_PASSWORD=change-me hookd serve --dev`, here on a free port.
  server = await spawnHookd(
    mkdtempSync(join(tmpdir(), 'hookd-readme-')),
    await freePort(),
    { HOOKD_ALLOW_PRIVATE_TARGETS: '', HOOKD_ADMIN_PASSWORD: 'change-me' },
    ['--dev'],
  );
});
after(async () => {
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
});

describe('hookd listen', () => {
  it('prints each delivery with its event, id, retry and whether the signature is valid', async () => {
    const port = await freePort();
    const listener = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'listen', '--port', String(port), '--secret', 'shh'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    listener.stdout.on('data', (d) => (out += d));
    try {
      await waitUntil(() => out.includes('listening on'), 15_000, 'the listener');
      const env = { HOOKD_URL: server.url, HOOKD_PASSWORD: 'change-me' }; // HOOKD_USER defaults to admin
      const good = await runCli(
        [
          'webhook',
          'create',
          '--name',
          'to listen',
          '--events',
          'person.created',
          '--target',
          `http://127.0.0.1:${port}/in`,
          '--secret',
          'shh',
          '--json',
        ],
        env,
      );
      assert.equal(good.code, 0, good.stderr);
      assert.match(out, /\(test ping\) signature valid -> 200/);
      await runCli(
        [
          'webhook',
          'create',
          '--name',
          'wrong secret',
          '--events',
          'person.created',
          '--target',
          `http://127.0.0.1:${port}/in`,
          '--secret',
          'nope',
        ],
        env,
      );
      await runCli(['trigger', 'person.created', '--primary-key', '42'], env);
      await waitUntil(() => (out.match(/event=person\.created/g) ?? []).length >= 2, 10_000, 'two deliveries');
      assert.match(out, /POST \/in event=person\.created id=[0-9a-f-]{36} retry=0 signature valid -> 200\n\{\n {2}"EventId"/);
      assert.match(out, /event=person\.created id=[0-9a-f-]{36} retry=0 SIGNATURE INVALID -> 200/);
    } finally {
      listener.kill();
    }
  });
});

describe('receiver middleware', () => {
  const body = JSON.stringify({ EventId: 'e', Event: 'contact.created', PrimaryKey: 1 });
  const post = (url: string, signature: string | null, payload = body) =>
    fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(signature ? { 'X-SuperOffice-Signature': signature } : {}) },
      body: payload,
    });

  it('Express: passes the parsed payload on, answers 401 to a wrong or missing signature', async () => {
    const app = express();
    app.post('/hook', superOfficeSignature('secret'), (req, res) => {
      res.json({ got: (req.body as { Event: string }).Event });
    });
    const http = app.listen(0, '127.0.0.1');
    await new Promise((r) => http.once('listening', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
    const ok = await post(url, signNetServer('secret', body));
    assert.deepEqual([ok.status, await ok.json()], [200, { got: 'contact.created' }]);
    assert.equal((await post(url, signNetServer('other', body))).status, 401);
    assert.equal((await post(url, null)).status, 401);
    const tampered = await post(url, signNetServer('secret', body), body.replace('1', '2'));
    assert.deepEqual([tampered.status, await tampered.json()], [401, { error: 'Invalid signature.' }]);
    http.close();
  });

  it('Fastify plugin: the route runs only for a valid signature', async () => {
    const app = Fastify();
    await app.register(fastifySuperOfficeSignature, { secret: 'secret' });
    app.post('/hook', async (req) => ({ got: (req.body as { Event: string }).Event }));
    const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/hook`;
    const ok = await post(url, signNetServer('secret', body));
    assert.deepEqual([ok.status, await ok.json()], [200, { got: 'contact.created' }]);
    assert.equal((await post(url, signNetServer('secret', `${body} `), body)).status, 401);
    assert.equal((await post(url, null)).status, 401);
    await app.close();
  });
});
