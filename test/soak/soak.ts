/**
 * `npm run soak`: hookd (its own process, SQLite) under mixed load for a bounded time — steady event
 * batches to a healthy, a failing (every third request 500), a slow (200 ms) and a hanging receiver,
 * plus management API calls — sampling the process's resident memory, open file descriptors and the
 * healthy receiver's throughput. It fails when memory or descriptors keep growing or throughput sags.
 * SOAK_SECONDS (default 180) and SOAK_RATE (events a second, default 400) bound it.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, webhookBody } from '../helpers/harness.js';
import { freePort, spawnHookd } from '../helpers/process.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const RATE = Number(process.env.SOAK_RATE ?? 400);
const SAMPLE_MS = 10_000;

async function receiver(
  handle: (count: number, res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; server: Server; count: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(++count, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, count: () => count };
}

function rssMb(pid: number): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:')) ?? 'VmRSS: 0 kB';
  return Math.round(Number(line.replace(/\D+/g, '')) / 1024);
}
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

async function main(): Promise<void> {
  const healthy = await receiver((_n, res) => res.end('ok'));
  const failing = await receiver((n, res) => {
    res.statusCode = n % 3 === 0 ? 500 : 200;
    res.end();
  });
  const slow = await receiver((_n, res) => setTimeout(() => res.end('ok'), 200));
  const hanging = await receiver(() => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-soak-'));
  const hookd = await spawnHookd(dataDir, await freePort(), {
    HOOKD_RETRY_DELAYS_MS: '100,400',
    HOOKD_ATTEMPT_TIMEOUT_MS: '2000',
    HOOKD_MAX_CONSECUTIVE_ERRORS: '1000000',
    HOOKD_SAVE_PING: '0',
  });
  const pid = hookd.child.pid!;
  const ids: number[] = [];
  for (const [name, r] of [
    ['healthy', healthy],
    ['failing', failing],
    ['slow', slow],
    ['hanging', hanging],
  ] as const) {
    const res = await call(hookd.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${r.url}/${name}`, { Name: name }) });
    ids.push(res.json.WebhookId as number);
  }

  const end = Date.now() + SECONDS * 1000;
  let signalled = 0;
  let apiCalls = 0;
  let errors = 0;
  const load = (async () => {
    const batch = Math.max(1, Math.round(RATE / 10));
    while (Date.now() < end) {
      const started = Date.now();
      const items = Array.from({ length: batch }, (_, i) => ({ EventName: 'contact.created', PrimaryKey: signalled + i + 1 }));
      const res = await call(hookd.url, 'POST', '/api/v1/Webhook/Events', { body: items });
      if (res.status === 204) signalled += batch;
      else errors++;
      // Management traffic beside the events: list, read, rename.
      const id = ids[apiCalls % ids.length]!;
      const answers = await Promise.all([
        call(hookd.url, 'GET', '/api/v1/Webhook'),
        call(hookd.url, 'GET', `/api/v1/Webhook/${id}/Deliveries?$top=5`),
        call(hookd.url, 'PATCH', `/api/v1/Webhook/${id}`, {
          headers: { 'Content-Type': 'application/merge-patch+json' },
          body: { Name: `renamed ${apiCalls}` },
        }),
      ]);
      apiCalls += answers.length;
      errors += answers.filter((a) => a.status >= 500).length;
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
    }
  })();

  const samples: Array<{ t: number; rss: number; fds: number; perSecond: number }> = [];
  let last = healthy.count();
  console.log(`soak: ${SECONDS} s at ${RATE} events/s to 4 receivers (healthy, failing, slow, hanging)`);
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const now = healthy.count();
    const sample = {
      t: samples.length * 10 + 10,
      rss: rssMb(pid),
      fds: openFds(pid),
      perSecond: Math.round((now - last) / (SAMPLE_MS / 1000)),
    };
    last = now;
    samples.push(sample);
    console.log(`  ${String(sample.t).padStart(4)} s  rss ${sample.rss} MB  fds ${sample.fds}  healthy ${sample.perSecond}/s`);
  }
  await load;
  hookd.child.kill('SIGTERM');
  const code = await hookd.exited;
  for (const r of [healthy, failing, slow, hanging]) {
    r.server.closeAllConnections();
    r.server.close();
  }
  rmSync(dataDir, { recursive: true, force: true });

  // Compare the second third of the run with the last third: the first third is warm-up.
  const third = Math.max(1, Math.floor(samples.length / 3));
  const middle = samples.slice(third, 2 * third);
  const tail = samples.slice(-third);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const rssGrowth = avg(tail.map((s) => s.rss)) / avg(middle.map((s) => s.rss));
  const fdGrowth = Math.max(...tail.map((s) => s.fds)) - Math.max(...middle.map((s) => s.fds));
  const throughput = avg(tail.map((s) => s.perSecond)) / avg(middle.map((s) => s.perSecond));
  const problems = [
    rssGrowth > 1.25 ? `resident memory grew ${((rssGrowth - 1) * 100).toFixed(0)}% between the middle and the last third` : null,
    fdGrowth > 20 ? `open descriptors grew by ${fdGrowth}` : null,
    throughput < 0.8 ? `healthy throughput fell to ${(throughput * 100).toFixed(0)}%` : null,
    errors > 0 ? `${errors} API answers were 5xx or refused events` : null,
    code !== 0 ? `hookd exited with ${code} on SIGTERM` : null,
  ].filter((p): p is string => p !== null);
  console.log(
    `soak: ${signalled} events signalled, ${apiCalls} API calls, ${healthy.count()} delivered to the healthy receiver; ` +
      `rss ${Math.min(...samples.map((s) => s.rss))}–${Math.max(...samples.map((s) => s.rss))} MB (last/middle ${rssGrowth.toFixed(2)}), ` +
      `fds ${Math.min(...samples.map((s) => s.fds))}–${Math.max(...samples.map((s) => s.fds))}, throughput last/middle ${throughput.toFixed(2)}`,
  );
  if (problems.length > 0) {
    console.error(`soak FAILED: ${problems.join('; ')}`);
    process.exit(1);
  }
  console.log('soak passed: memory, descriptors and throughput flat');
}

await main();
