/**
 * What receiver authentication costs (issue 25): one hookd process on SQLite delivering to one local HTTPS receiver,
 * end to end, for a webhook with a client certificate (mutual TLS) and one with OAuth2 client credentials, each as a
 * ratio to a plain https webhook to the same receiver, measured in the same run, runs interleaved. The receiver's
 * certificate comes from a test CA that hookd trusts through NODE_EXTRA_CA_CERTS (so the plain case needs no
 * ReceiverAuth). Goal (issue 25): each ≥ 0.8 — connections and the token reused, not a handshake or a token per
 * delivery. BENCH_RECEIVER_AUTH_EVENTS and BENCH_RECEIVER_AUTH_RUNS shrink it for a smoke run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testPki } from '../test/helpers/pki.js';
import {
  api,
  type CaseResult,
  EVENT_DATA,
  median,
  progress,
  receivedCount,
  signalEvents,
  startHookdProcess,
  startProcess,
  waitForCount,
} from './lib.js';

const EVENTS = Number(process.env.BENCH_RECEIVER_AUTH_EVENTS ?? 20_000);
const RUNS = Number(process.env.BENCH_RECEIVER_AUTH_RUNS ?? 3);

async function measure(countPort: string, caFile: string, webhook: Record<string, unknown>): Promise<number> {
  const hookd = await startHookdProcess({ NODE_EXTRA_CA_CERTS: caFile });
  await api(hookd.url, 'POST', '/api/v1/Webhook', { Name: 'bench', Events: ['contact.changed'], Secret: 'secret', ...webhook });
  const start = await receivedCount(countPort);
  const t0 = performance.now();
  await signalEvents(hookd.url, 0, EVENTS, 5_000, EVENT_DATA);
  await waitForCount(countPort, start + EVENTS);
  hookd.child.kill();
  return Math.round(EVENTS / ((performance.now() - t0) / 1000));
}

export async function runReceiverAuth(): Promise<CaseResult[]> {
  const pki = testPki();
  const serverCa = pki.ca('bench server CA');
  const clientCa = pki.ca('bench client CA');
  const server = pki.issue(serverCa, '127.0.0.1', { server: true });
  const client = pki.issue(clientCa, 'hookd bench client');
  const dir = pki.dir;
  const files = {
    cert: join(dir, 'bench-server.pem'),
    key: join(dir, 'bench-server.key'),
    ca: join(dir, 'bench-client-ca.pem'),
    serverCa: join(dir, 'bench-server-ca.pem'),
  };
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.key);
  writeFileSync(files.ca, clientCa.cert);
  writeFileSync(files.serverCa, serverCa.cert);
  const receiver = await startProcess('bench/tls-receiver.mjs', [files.cert, files.key, files.ca]);
  const [httpPort, httpsPort] = receiver.line.split(' ') as [string, string];
  const target = `https://127.0.0.1:${httpsPort}/hook`;
  const plain: number[] = [];
  const mtls: number[] = [];
  const oauth: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('receiver auth', run, RUNS);
    plain.push(await measure(httpPort, files.serverCa, { TargetUrl: target }));
    mtls.push(
      await measure(httpPort, files.serverCa, {
        TargetUrl: target,
        ReceiverAuth: { ClientCertificate: { Certificate: client.cert, Key: client.key } },
      }),
    );
    oauth.push(
      await measure(httpPort, files.serverCa, {
        TargetUrl: target,
        ReceiverAuth: { OAuth2: { TokenUrl: `http://127.0.0.1:${httpPort}/token`, ClientId: 'bench', ClientSecret: 'bench-secret' } },
      }),
    );
  }
  progress('receiver auth', RUNS, RUNS);
  const stats = (await (await fetch(`http://127.0.0.1:${httpPort}/stats`)).json()) as { count: number; tokens: number; withCert: number };
  receiver.child.kill();
  pki.remove();
  // One token per hookd process (its save ping fetches it), and every mTLS delivery presented the certificate.
  if (stats.tokens !== RUNS) console.error(`\nreceiver auth: ${stats.tokens} token requests for ${RUNS} OAuth2 runs`);
  if (stats.withCert !== RUNS * EVENTS)
    console.error(`\nreceiver auth: ${stats.withCert} deliveries with a client certificate, expected ${RUNS * EVENTS}`);
  const baseline = { 'a plain https webhook (same run)': median(plain) };
  return [
    {
      name: 'deliveries/s, 1 webhook, SQLite, https with a client certificate (mTLS)',
      hookd: median(mtls),
      baselines: baseline,
      unit: 'deliveries/s',
    },
    {
      name: 'deliveries/s, 1 webhook, SQLite, https with OAuth2 client credentials',
      hookd: median(oauth),
      baselines: baseline,
      unit: 'deliveries/s',
    },
  ];
}
