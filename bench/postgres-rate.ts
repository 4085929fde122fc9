/**
 * Deliveries per second on PostgreSQL with one and with two hookd worker processes, beside one process on
 * SQLite, all in the same run against the same receiver process. Each figure is end to end: 20,000 events
 * signalled in batches of 5,000 to one webhook, until the receiver has them all.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { api, median, progress, receivedCount, signalEvents, startHookdProcess, startProcess, waitForCount } from './lib.js';
import type { CaseResult } from './lib.js';
import { startPostgres } from './postgres.js';

const RUNS = 3;
const EVENTS = 20_000;
const BATCH = 5_000;

/** Starts `processes` hookd processes on the store env gives, signals through the first, returns deliveries/s. */
async function measure(receiverPort: string, processes: number, env: Record<string, string>): Promise<number> {
  const procs: Array<{ url: string; child: ChildProcess }> = [];
  for (let i = 0; i < processes; i++) procs.push(await startHookdProcess(env));
  const first = procs[0]!;
  await api(first.url, 'POST', '/api/v1/Webhook', {
    Name: 'bench',
    Events: ['contact.changed'],
    TargetUrl: `http://127.0.0.1:${receiverPort}/hook`,
    Secret: 'secret',
  });
  const start = await receivedCount(receiverPort);
  const t0 = performance.now();
  await signalEvents(first.url, 0, EVENTS, BATCH, { Changes: ['name'] });
  await waitForCount(receiverPort, start + EVENTS);
  const rate = Math.round(EVENTS / ((performance.now() - t0) / 1000));
  for (const p of procs) p.child.kill();
  return rate;
}

export async function runPostgresRate(): Promise<CaseResult[]> {
  const postgres = await startPostgres();
  if (!postgres) {
    console.error('postgres-rate skipped: no PostgreSQL binaries under /usr/lib/postgresql and no BENCH_DATABASE_URL');
    return [];
  }
  const receiver = await startProcess('bench/receiver.mjs');
  const sqlite: number[] = [];
  const one: number[] = [];
  const two: number[] = [];
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  let step = 0;
  for (let run = 0; run < RUNS; run++) {
    progress('postgres rate', step++, RUNS * 3);
    sqlite.push(await measure(receiver.line, 1, {}));
    for (const [n, into] of [
      [1, one],
      [2, two],
    ] as const) {
      progress('postgres rate', step++, RUNS * 3);
      const schema = `bench_${run}_${n}`;
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      const url = `${postgres.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      into.push(await measure(receiver.line, n, { HOOKD_DATABASE_URL: url }));
    }
  }
  progress('postgres rate', RUNS * 3, RUNS * 3);
  await admin.end();
  receiver.child.kill();
  postgres.stop();
  const base = median(sqlite);
  return [
    {
      name: 'deliveries/s, PostgreSQL, 1 process',
      hookd: median(one),
      baselines: { 'hookd on SQLite (same run)': base },
      unit: 'deliveries/s',
    },
    {
      name: 'deliveries/s, PostgreSQL, 2 processes',
      hookd: median(two),
      baselines: { 'hookd on SQLite (same run)': base },
      unit: 'deliveries/s',
    },
  ];
}
