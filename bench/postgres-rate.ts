/**
 * Deliveries per second on PostgreSQL with one and with two hookd processes, to 1 webhook and to 100, beside
 * one process on SQLite, all in the same run against the same receiver process; and the PostgreSQL
 * transactions committed per delivery (pg_stat_database). Each figure is end to end: 20,000 deliveries
 * signalled in batches, until the receiver has them all, after 10,000 unmeasured ones.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { api, median, progress, receivedCount, signalEvents, startHookdProcess, startProcess, waitForCount } from './lib.js';
import type { CaseResult } from './lib.js';
import { startPostgres } from './postgres.js';

const RUNS = 3;
const DELIVERIES = 20_000;
/** Deliveries made first, unmeasured, on either store: a server runs for days (as in the delivery-rate case). */
const WARMUP = 10_000;

interface Measured {
  rate: number;
  /** Transactions committed in the database per delivery (null on SQLite). */
  txPerDelivery: number | null;
  /** WAL bytes written per delivery, and rows inserted, updated or deleted per delivery (null on SQLite). */
  walPerDelivery: number | null;
  rowsPerDelivery: number | null;
  /** The PostgreSQL server's CPU per delivery in µs, all its processes (null on SQLite or a server the bench did not start). */
  serverCpuPerDelivery: number | null;
}

interface DbCounters {
  tx: number;
  rows: number;
  wal: string;
}

/** Starts `processes` hookd processes on the store env gives, signals through the first, returns deliveries/s. */
async function measure(
  receiverPort: string,
  processes: number,
  webhooks: number,
  env: Record<string, string>,
  db?: pg.Client,
  serverCpu: () => number | null = () => null,
): Promise<Measured> {
  const procs: Array<{ url: string; child: ChildProcess }> = [];
  for (let i = 0; i < processes; i++) procs.push(await startHookdProcess(env));
  const first = procs[0]!;
  for (let w = 0; w < webhooks; w++) {
    await api(first.url, 'POST', '/api/v1/Webhook', {
      Name: `bench${w}`,
      Events: ['contact.changed'],
      TargetUrl: `http://127.0.0.1:${receiverPort}/hook`,
      Secret: 'secret',
    });
  }
  const counters = async (): Promise<DbCounters | null> => {
    if (!db) return null;
    await new Promise((r) => setTimeout(r, 1_100)); // backends flush their statistics about once a second
    const { rows } = await db.query<{ tx: string; rows: string; wal: string }>(
      `SELECT xact_commit + xact_rollback AS tx, tup_inserted + tup_updated + tup_deleted AS rows, pg_current_wal_lsn()::text AS wal
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    const r = rows[0]!;
    return { tx: Number(r.tx), rows: Number(r.rows), wal: r.wal };
  };
  const warm = await receivedCount(receiverPort);
  await signalEvents(first.url, 0, WARMUP / webhooks, Math.min(5_000, WARMUP / webhooks), { Changes: ['name'] });
  await waitForCount(receiverPort, warm + WARMUP);
  const c0 = await counters();
  const cpu0 = serverCpu();
  const start = await receivedCount(receiverPort);
  const t0 = performance.now();
  const events = DELIVERIES / webhooks;
  await signalEvents(first.url, WARMUP / webhooks, events, Math.min(5_000, events), { Changes: ['name'] });
  await waitForCount(receiverPort, start + DELIVERIES);
  const rate = Math.round(DELIVERIES / ((performance.now() - t0) / 1000));
  const cpu1 = serverCpu();
  const c1 = await counters();
  for (const p of procs) p.child.kill();
  const serverCpuPerDelivery = cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / DELIVERIES : null;
  if (!db || !c0 || !c1) return { rate, txPerDelivery: null, walPerDelivery: null, rowsPerDelivery: null, serverCpuPerDelivery };
  const { rows } = await db.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($1, $2) AS bytes', [c1.wal, c0.wal]);
  return {
    rate,
    txPerDelivery: (c1.tx - c0.tx) / DELIVERIES,
    walPerDelivery: Number(rows[0]!.bytes) / DELIVERIES,
    rowsPerDelivery: (c1.rows - c0.rows) / DELIVERIES,
    serverCpuPerDelivery,
  };
}

export async function runPostgresRate(): Promise<CaseResult[]> {
  const postgres = await startPostgres();
  if (!postgres) {
    console.error('postgres-rate skipped: no PostgreSQL binaries under /usr/lib/postgresql and no BENCH_DATABASE_URL');
    return [];
  }
  const receiver = await startProcess('bench/receiver.mjs');
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  const shapes = [
    { key: 'sqlite-1', processes: 1, webhooks: 1, pg: false },
    { key: 'pg-1-1', processes: 1, webhooks: 1, pg: true },
    { key: 'pg-2-1', processes: 2, webhooks: 1, pg: true },
    { key: 'pg-1-100', processes: 1, webhooks: 100, pg: true },
    { key: 'pg-2-100', processes: 2, webhooks: 100, pg: true },
  ];
  const rates = new Map<string, number[]>(shapes.map((s) => [s.key, []]));
  const tx = new Map<string, number[]>(shapes.map((s) => [s.key, []]));
  const wal = new Map<string, number[]>(shapes.map((s) => [s.key, []]));
  const rowCounts = new Map<string, number[]>(shapes.map((s) => [s.key, []]));
  const serverCpu = new Map<string, number[]>(shapes.map((s) => [s.key, []]));
  let step = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const s of shapes) {
      progress('postgres rate', step++, RUNS * shapes.length);
      let env: Record<string, string> = {};
      if (s.pg) {
        const schema = `bench_${run}_${s.key.replaceAll('-', '_')}`;
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
        env = { HOOKD_DATABASE_URL: `${postgres.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
      }
      const m = await measure(receiver.line, s.processes, s.webhooks, env, s.pg ? admin : undefined, s.pg ? postgres.cpuMicros : undefined);
      if (m.serverCpuPerDelivery !== null) serverCpu.get(s.key)!.push(m.serverCpuPerDelivery);
      rates.get(s.key)!.push(m.rate);
      if (m.txPerDelivery !== null) tx.get(s.key)!.push(m.txPerDelivery);
      if (m.walPerDelivery !== null) wal.get(s.key)!.push(m.walPerDelivery);
      if (m.rowsPerDelivery !== null) rowCounts.get(s.key)!.push(m.rowsPerDelivery);
    }
  }
  progress('postgres rate', RUNS * shapes.length, RUNS * shapes.length);
  await admin.end();
  receiver.child.kill();
  postgres.stop();
  const rate = (key: string) => median(rates.get(key)!);
  const sqlite = { 'hookd on SQLite (same run)': rate('sqlite-1') };
  const txCase = (key: string, what: string): CaseResult => ({
    name: `PostgreSQL transactions per delivery, ${what}`,
    hookd: median(tx.get(key)!),
    baselines: { 'target (issue 11)': 0.1 },
    unit: 'transactions (lower is better)',
    lowerIsBetter: true,
  });
  return [
    { name: 'deliveries/s, PostgreSQL, 1 process', hookd: rate('pg-1-1'), baselines: sqlite, unit: 'deliveries/s' },
    {
      name: 'deliveries/s, PostgreSQL, 2 processes',
      hookd: rate('pg-2-1'),
      baselines: { 'hookd on PostgreSQL, 1 process (same run)': rate('pg-1-1'), ...sqlite },
      unit: 'deliveries/s',
    },
    txCase('pg-1-1', '1 webhook, 1 process'),
    {
      name: 'PostgreSQL WAL bytes per delivery, 1 webhook, 1 process',
      hookd: median(wal.get('pg-1-1')!),
      baselines: {}, // a figure for the scale-out projection in BENCHMARKS.md, not a comparison
      unit: 'bytes (lower is better)',
      lowerIsBetter: true,
    },
    {
      name: 'PostgreSQL rows written per delivery, 1 webhook, 1 process',
      hookd: median(rowCounts.get('pg-1-1')!),
      baselines: {},
      unit: 'rows (lower is better)',
      lowerIsBetter: true,
    },
    ...(serverCpu.get('pg-1-1')!.length > 0
      ? [
          {
            name: "PostgreSQL server's CPU per delivery, µs, 1 webhook, 1 process (all its processes; hookd's own is in the cpu case)",
            hookd: median(serverCpu.get('pg-1-1')!),
            baselines: {},
            unit: 'µs CPU (lower is better)',
            lowerIsBetter: true,
          },
        ]
      : []),
    { name: 'deliveries/s, PostgreSQL, 100 webhooks, 1 process', hookd: rate('pg-1-100'), baselines: sqlite, unit: 'deliveries/s' },
    {
      name: 'deliveries/s, PostgreSQL, 100 webhooks, 2 processes',
      hookd: rate('pg-2-100'),
      baselines: { 'hookd on PostgreSQL, 100 webhooks, 1 process (same run)': rate('pg-1-100') },
      unit: 'deliveries/s',
    },
    txCase('pg-1-100', '100 webhooks, 1 process'),
  ];
}
