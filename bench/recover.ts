/**
 * A large recover beside live delivery: a delivery log with 1,000,000 delivered deliveries of one webhook
 * (written straight into the SQLite file, as a fixture) and a backlog of queued deliveries for another,
 * healthy webhook. The process's delivery rate over 10 s while the recover job copies the million (the healthy
 * webhook's deliveries and the copies) is compared with its rate over 10 s just before (issue 13's goal: at least
 * 80 %); the healthy webhook's own share is shown beside it (issue 22's goal: at least 0.45 of before).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, type CaseResult, progress, receivedCount, startHookdProcess, startProcess } from './lib.js';

const RECOVERED = Number(process.env.BENCH_RECOVER ?? 1_000_000);
/**
 * Enough queued deliveries for the healthy webhook to stay busy through both windows: at 30,000/s (this machine on a
 * quiet day) 400,000 ran out during the second window, and the healthy webhook's rate there read as starved.
 */
const BACKLOG = Number(process.env.BENCH_RECOVER_BACKLOG ?? 1_000_000);

/** Writes `count` events and one delivery each (delivered or queued) in transactions of 50,000. */
function fixture(file: string, tenantId: number, webhookId: number, event: string, count: number, delivered: boolean, now: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const addEvent = db.prepare(
    `INSERT INTO events (tenant_id, name, body_event, entity, primary_key, timestamp, changes, changed_by, context_identifier, vals, field_values, created)
     VALUES (?, ?, ?, ?, ?, ?, '[]', 1, 'Default', NULL, '{}', ?)`,
  );
  const addDelivery = db.prepare(
    'INSERT INTO deliveries (webhook_id, event_id, event_guid, status, due_at, created, finished) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const stamp = new Date(now).toISOString();
  for (let i = 0; i < count; i += 50_000) {
    db.transaction(() => {
      for (let k = i; k < Math.min(count, i + 50_000); k++) {
        const eventId = addEvent.run(tenantId, event, event, event.split('.')[0], k, stamp, now).lastInsertRowid;
        addDelivery.run(webhookId, eventId, randomUUID(), delivered ? 1 : 0, now, now, delivered ? now : null);
      }
    })();
    progress(`fixture ${event}`, Math.min(count, i + 50_000) / 50_000, Math.ceil(count / 50_000));
  }
  db.close();
}

async function rateOver(receiverPort: string, ms: number): Promise<number> {
  const start = await receivedCount(receiverPort);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((await receivedCount(receiverPort)) - start) / ((performance.now() - t0) / 1000);
}

export async function runRecover(): Promise<CaseResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-bench-recover-'));
  const healthyReceiver = await startProcess('bench/receiver.mjs');
  const recoveredReceiver = await startProcess('bench/receiver.mjs');
  const env = { HOOKD_DATA_DIR: dataDir, HOOKD_SAVE_PING: '0' };

  let hookd = await startHookdProcess(env);
  const recovered = await api(hookd.url, 'POST', '/api/v1/Webhook', {
    Name: 'recovered',
    Events: ['sale.sold'],
    TargetUrl: `http://127.0.0.1:${recoveredReceiver.line}/r`,
  });
  const healthy = await api(hookd.url, 'POST', '/api/v1/Webhook', {
    Name: 'healthy',
    Events: ['contact.changed'],
    TargetUrl: `http://127.0.0.1:${healthyReceiver.line}/h`,
  });
  hookd.child.kill('SIGTERM');
  await new Promise((r) => hookd.child.once('exit', r));

  const file = join(dataDir, 'hookd.db');
  const tenantId = 1;
  const now = Date.now();
  fixture(file, tenantId, recovered.WebhookId, 'sale.sold', RECOVERED, true, now - 3_600_000);
  fixture(file, tenantId, healthy.WebhookId, 'contact.changed', BACKLOG, false, now);

  hookd = await startHookdProcess(env);
  await new Promise((r) => setTimeout(r, 3000)); // the healthy backlog is draining: let it settle
  const before = await rateOver(healthyReceiver.line, 10_000);

  const t0 = performance.now();
  const job = await api(hookd.url, 'POST', '/api/v1/Webhook/Recover', { Since: '2h', Status: 'All', Events: ['sale.sold'] });
  // Both rates over 10 s while the job runs, as the rate before: over the whole job the healthy backlog ran dry
  // halfway (400,000 at ~2,500/s beside the copies), which made its share look like 0.24 when it had half the sends.
  const startCount = await receivedCount(healthyReceiver.line);
  const startRecovered = await receivedCount(recoveredReceiver.line);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, 10_000));
  const windowSeconds = (performance.now() - w0) / 1000;
  const healthyDuring = ((await receivedCount(healthyReceiver.line)) - startCount) / windowSeconds;
  const copiesDuring = ((await receivedCount(recoveredReceiver.line)) - startRecovered) / windowSeconds;
  const drained = (await receivedCount(healthyReceiver.line)) >= BACKLOG;
  if (drained) console.error('recover bench: the healthy backlog ran dry inside the window; raise BENCH_RECOVER_BACKLOG');
  let state = job;
  while (state.State !== 'Done') {
    await new Promise((r) => setTimeout(r, 250));
    state = await api(hookd.url, 'GET', `/api/v1/Jobs/${job.JobId}`);
    progress('recover job', Math.round((state.Done / Math.max(1, state.Total)) * 100), 100);
  }
  const seconds = (performance.now() - t0) / 1000;
  const during = healthyDuring;
  // The copies are deliveries too: while the job runs the process delivers them beside the healthy webhook's.
  const total = healthyDuring + copiesDuring;
  hookd.child.kill('SIGKILL');
  healthyReceiver.child.kill();
  recoveredReceiver.child.kill();
  rmSync(dataDir, { recursive: true, force: true });
  return [
    {
      name: `recover of ${RECOVERED.toLocaleString('en')} deliveries: deliveries/s while the job runs (healthy webhook + the copies)`,
      unit: 'deliveries/s',
      hookd: total,
      baselines: { 'the same process just before the recover (same run)': before },
    },
    {
      name: `recover of ${RECOVERED.toLocaleString('en')} deliveries: the healthy webhook's own rate while the job runs`,
      unit: 'deliveries/s',
      hookd: during,
      baselines: { 'the same webhook just before the recover (same run)': before },
    },
    {
      name: `recover of ${RECOVERED.toLocaleString('en')} deliveries: copies made`,
      unit: 'deliveries/s',
      hookd: state.Done / seconds,
      baselines: { 'the healthy webhook, just before (same run)': before },
    },
  ];
}
