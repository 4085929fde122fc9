/**
 * CPU per delivery, side by side (issue 22): bare undici (signed POSTs, nothing stored), the lean durable
 * reference (../shared/reference, when present) and one hookd process on SQLite (ingestion in batches of 500 +
 * store + sending), each to the same receiver, EVENTS deliveries each. hookd is measured warm (after WARMUP unmeasured
 * deliveries: a server runs for days) and cold (a fresh process); the two scripts are small and run cold. hookd's CPU is read from
 * /proc/<pid>/stat (all its threads); the others report their own process.cpuUsage().
 *
 *   npm run bench -- cpu     (or, after npm run build: node --import tsx bench/cpu-per-delivery.ts [EVENTS=20000] [RUNS=3])
 *
 * With BENCH_HOOKD_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof' each hookd run writes a profile;
 * `node --import tsx bench/profile-stages.ts prof/<file>.cpuprofile` splits it by stage.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, type CaseResult, progress, receivedCount, signalEvents, startHookdProcess, startProcess, waitForCount } from './lib.js';

const EVENTS = Number(process.argv[2] ?? 20_000);
const RUNS = Number(process.argv[3] ?? 3);
const REFERENCE = join(process.cwd(), '..', 'shared', 'reference');
const TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU in 1/100 s

/**
 * The CPU a process has used, all its threads, in microseconds: each thread's run time from /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds: /proc/<pid>/stat counts 10 ms ticks, 1.4 % of a 20,000-delivery run).
 */
function cpuMicros(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while being read
    }
  }
  return ns / 1000;
}

/** Each thread's CPU seconds since it started, by thread id (name: `node` for the main thread and V8's helpers alike). */
function threadTimes(pid: number): Map<string, { name: string; s: number }> {
  const out = new Map<string, { name: string; s: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.split(') ')[1]!.split(' ');
    out.set(tid, { name: tid === String(pid) ? 'main' : name, s: (Number(f[11]) + Number(f[12])) / TICKS });
  }
  return out;
}

/** Each thread's CPU during the run (since `before`): shows where the CPU outside the main thread goes (GC, compiler). */
function threadCpu(pid: number, before: Map<string, { name: string; s: number }>): string {
  return [...threadTimes(pid)]
    .map(([tid, t]) => ({ name: t.name, s: t.s - (before.get(tid)?.s ?? 0) }))
    .filter((t) => t.s > 0)
    .map((t) => `${t.name} ${t.s.toFixed(2)}`)
    .join(', ');
}

export interface CpuRow {
  rate: number;
  cpuMicrosPerDelivery: number;
  /** Share of the run's wall time the process was busy on a CPU (1 = one core all the time). */
  busy: number;
}

/** One hookd process, one webhook, EVENTS deliveries: the rate, CPU per delivery (ingestion included) and busy share. */
export async function measureHookd(
  receiverPort: string,
  target: string,
  env: Record<string, string> = {},
  events = EVENTS,
  warmup = Number(process.env.BENCH_WARMUP ?? 0),
): Promise<CpuRow> {
  const hookd = await startHookdProcess(env);
  await api(hookd.url, 'POST', '/api/v1/Webhook', { Name: 'cpu', Events: ['contact.changed'], TargetUrl: target, Secret: 'secret' });
  const pid = hookd.child.pid!;
  // `warmup` deliveries first, unmeasured (JIT compiled, pools open): the steady state of a server that runs for days.
  if (warmup > 0) {
    const before = await receivedCount(receiverPort);
    await signalEvents(hookd.url, 0, warmup, 500);
    await waitForCount(receiverPort, before + warmup);
  }
  const start = await receivedCount(receiverPort);
  const cpu0 = cpuMicros(pid);
  const threads0 = threadTimes(pid);
  const t0 = performance.now();
  await signalEvents(hookd.url, 0, events, 500);
  await waitForCount(receiverPort, start + events);
  const wall = performance.now() - t0;
  const cpu = cpuMicros(pid) - cpu0;
  if (process.env.BENCH_VERBOSE) console.error(`hookd threads (CPU s in the run): ${threadCpu(pid, threads0)}`);
  const health = (await (await fetch(`${hookd.url}/healthz`)).json()) as { worker: { attemptsMade: number; exchanges: number } };
  if (process.env.BENCH_VERBOSE) console.error(`hookd: ${health.worker.attemptsMade} attempts in ${health.worker.exchanges} exchanges`);
  // SIGINT: a clean stop writes --cpu-prof's profile.
  hookd.child.kill('SIGINT');
  await new Promise((r) => hookd.child.once('exit', r));
  return { rate: Math.round(events / (wall / 1000)), cpuMicrosPerDelivery: cpu / events, busy: cpu / 1000 / wall };
}

/** A reference script that prints "rate cpuMicrosPerDelivery". */
async function measureScript(script: string, args: string[], events: number, env: Record<string, string> = {}): Promise<CpuRow> {
  const t0 = performance.now();
  const out = await startProcess(script, args, env);
  const wall = performance.now() - t0;
  const [rate, cpu] = out.line.split(' ').map(Number) as [number, number];
  return { rate, cpuMicrosPerDelivery: cpu, busy: (cpu * events) / 1000 / wall };
}

/** Medians of RUNS interleaved runs of each sender, to the same receiver. */
type Sender = 'bare' | 'bare, warm' | 'reference' | 'hookd' | 'hookd, cold';

/** Deliveries a warm hookd makes first, unmeasured: V8 compiles hookd's hot code in its first ~20,000. */
const WARMUP = 20_000;

async function measureAll(events: number, runs: number): Promise<Record<Sender, CpuRow[]>> {
  const receiver = await startProcess('bench/receiver.mjs');
  const port = receiver.line;
  const target = `http://127.0.0.1:${port}/hook`;
  const rows: Record<Sender, CpuRow[]> = { bare: [], 'bare, warm': [], reference: [], hookd: [], 'hookd, cold': [] };
  const env = JSON.parse(process.env.BENCH_HOOKD_ENV ?? '{}') as Record<string, string>;
  for (let run = 0; run < runs; run++) {
    progress('CPU per delivery', run, runs);
    // BENCH_ONLY=hookd: only hookd, warm (A/B runs of a change to hookd; its figures then are not ratios).
    if (process.env.BENCH_ONLY === 'hookd') {
      rows.hookd.push(await measureHookd(port, target, env, events, Number(process.env.BENCH_WARMUP ?? WARMUP)));
      continue;
    }
    rows.bare.push(await measureScript(join(REFERENCE, 'bare-sender.mjs'), [port, String(events)], events));
    // Warm like hookd: bench/bare-undici.mjs (the same signed POST, 64 at a time) after WARMUP unmeasured ones.
    const warmArgs = [target, String(events), '64', String(WARMUP)];
    rows['bare, warm'].push(await measureScript('bench/bare-undici.mjs', warmArgs, events, { BARE_CPU: '1' }));
    if (existsSync(join(REFERENCE, 'lean-sender.mjs'))) {
      rows.reference.push(await measureScript(join(REFERENCE, 'lean-sender.mjs'), [port, String(events)], events));
    }
    rows.hookd.push(await measureHookd(port, target, env, events, Number(process.env.BENCH_WARMUP ?? WARMUP)));
    rows['hookd, cold'].push(await measureHookd(port, target, env, events, 0));
  }
  progress('CPU per delivery', runs, runs);
  receiver.child.kill();
  return rows;
}

/** `npm run bench -- cpu`: hookd beside bare undici and the lean durable reference, rate and CPU per delivery. */
export async function runCpuPerDelivery(): Promise<CaseResult[]> {
  const rows = await measureAll(20_000, 3);
  const med = (list: CpuRow[], pick: (r: CpuRow) => number) => median(list.map(pick));
  const baselines = (pick: (r: CpuRow) => number, bareLabel: string, referenceLabel = bareLabel) => ({
    [`bare undici ${bareLabel}`]: med(rows.bare, pick),
    ...(rows.reference.length > 0 ? { [`lean durable reference ${referenceLabel}`]: med(rows.reference, pick) } : {}),
  });
  const warmBare = (pick: (r: CpuRow) => number, label: string) => ({ [`bare undici warm ${label}`]: med(rows['bare, warm'], pick) });
  return [
    {
      // Like for like: the reference's scripts cannot be warmed, so hookd is compared with them as a fresh process too.
      name: 'deliveries/s, 1 webhook, SQLite, ingestion in batches of 500, beside the lean durable reference (all fresh processes)',
      unit: 'deliveries/s',
      hookd: med(rows['hookd, cold'], (r) => r.rate),
      baselines: baselines((r) => r.rate, '(same run)'),
    },
    {
      name: 'deliveries/s, 1 webhook, SQLite, ingestion in batches of 500, warm (after 20,000 unmeasured deliveries)',
      unit: 'deliveries/s',
      hookd: med(rows.hookd, (r) => r.rate),
      baselines: warmBare((r) => r.rate, '(same run)'),
    },
    {
      name: 'CPU per delivery, µs, warm (hookd: all its threads, ingestion included; each after 20,000 unmeasured deliveries)',
      unit: 'µs CPU (lower is better)',
      lowerIsBetter: true,
      hookd: med(rows.hookd, (r) => r.cpuMicrosPerDelivery),
      baselines: warmBare((r) => r.cpuMicrosPerDelivery, 'per signed POST'),
    },
    {
      name: 'CPU per delivery, µs, fresh processes (their first 20,000; hookd: JIT compiling included)',
      unit: 'µs CPU (lower is better)',
      lowerIsBetter: true,
      hookd: med(rows['hookd, cold'], (r) => r.cpuMicrosPerDelivery),
      baselines: baselines((r) => r.cpuMicrosPerDelivery, 'per signed POST', 'per delivery (same run)'),
    },
    {
      name: 'share of the run each process was busy (1 = one core all the time; fresh processes)',
      unit: 'cores',
      hookd: med(rows['hookd, cold'], (r) => r.busy),
      baselines: baselines((r) => r.busy, '(same run)'),
    },
  ];
}

async function main(): Promise<void> {
  const rows = await measureAll(EVENTS, RUNS);
  const bareRate = median(rows.bare.map((r) => r.rate)) || NaN;
  const bareCpu = median(rows.bare.map((r) => r.cpuMicrosPerDelivery)) || NaN;
  for (const [name, list] of Object.entries(rows)) {
    if (list.length === 0) continue;
    const rate = median(list.map((r) => r.rate));
    const cpu = median(list.map((r) => r.cpuMicrosPerDelivery));
    const busy = median(list.map((r) => r.busy));
    console.log(
      `${name.padEnd(10)} ${String(rate).padStart(6)}/s = ${(rate / bareRate).toFixed(2)} of bare; ` +
        `${cpu.toFixed(0).padStart(4)} µs CPU a delivery = ${(cpu / bareCpu).toFixed(2)}× bare's; busy ${(busy * 100).toFixed(0)} % of a core` +
        `  (runs: ${list.map((r) => `${r.rate}/s ${r.cpuMicrosPerDelivery.toFixed(1)} µs`).join(', ')})`,
    );
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
