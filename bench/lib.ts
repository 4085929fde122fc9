/** Helpers for the benchmarks: child processes, medians, a progress line. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One benchmark case: hookd's figure and each baseline's, measured in the same run. */
export interface CaseResult {
  name: string;
  unit: string;
  hookd: number;
  baselines: Record<string, number>;
  /** Times and memory: a smaller figure is better. */
  lowerIsBetter?: boolean;
}

export const ADMIN = { user: 'admin', password: 'bench-password' };
export const AUTH = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Starts `node file args`; resolves with the first line it prints (a port) and the process. */
export function startProcess(
  file: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl).trim() });
    });
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A hookd server process on a fresh SQLite folder (compiled build: run `npm run build` first). */
export async function startHookdProcess(env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // BENCH_HOOKD_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof' profiles the hookd process.
  const nodeArgs = (process.env.BENCH_HOOKD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/cli/main.js', 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOOKD_DATA_DIR: mkdtempSync(join(tmpdir(), 'hookd-bench-')),
      HOOKD_ADMIN_USER: ADMIN.user,
      HOOKD_ADMIN_PASSWORD: ADMIN.password,
      HOOKD_ALLOW_PRIVATE_TARGETS: '1',
      HOOKD_LOG_LEVEL: 'warn',
      HOOKD_RATE_LIMIT_PER_MINUTE: '0', // the load generators are one caller each
      ...env,
    },
    stdio: ['ignore', process.env.BENCH_HOOKD_STDOUT ? 'inherit' : 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('hookd did not start');
}

export async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: AUTH, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

/** The data of every benchmark event: Changes and FieldValues as NetServer sends them for a contact. */
export const EVENT_DATA = {
  Changes: ['name', 'orgnr', 'updated'],
  FieldValues: { associate_id: 1, business_idx: 2, category_idx: 3, country_id: 578, deleted: 0 },
};

/** How many deliveries a bench/receiver.mjs process has counted. */
export async function receivedCount(receiverPort: string): Promise<number> {
  return Number(await (await fetch(`http://127.0.0.1:${receiverPort}/count`)).text());
}

/** Resolves once the receiver has counted `target` deliveries. */
export async function waitForCount(receiverPort: string, target: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await receivedCount(receiverPort)) < target) {
    if (Date.now() > deadline) throw new Error(`receiver got ${await receivedCount(receiverPort)} of ${target}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Signals `count` contact.changed events (PrimaryKey `first`…) through POST /Webhook/Events, `batch` a request. */
export async function signalEvents(url: string, first: number, count: number, batch = 5_000, data: unknown = EVENT_DATA): Promise<void> {
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    await api(
      url,
      'POST',
      '/api/v1/Webhook/Events',
      Array.from({ length: n }, (_, k) => ({ EventName: 'contact.changed', PrimaryKey: first + i + k, Data: data })),
    );
  }
}
