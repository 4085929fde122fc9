/** A throwaway PostgreSQL cluster for the benchmarks (BENCH_DATABASE_URL, when set, is used instead). */
import { execFileSync, execSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './lib.js';

/** CPU (µs) of the server and every process it started, the ones that ended included (their time is the server's children's). */
function clusterCpuMicros(postmaster: number): number {
  const fields = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const own = fields(String(postmaster));
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const f = fields(pid);
      if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // ended meanwhile: its time is in the server's children's now
    }
  }
  return ticks * 10_000; // USER_HZ = 100
}

export interface BenchPostgres {
  url: string;
  stop: () => void;
  /** The cluster's CPU so far in µs, or null for a server the bench did not start (BENCH_DATABASE_URL). */
  cpuMicros: () => number | null;
}

export async function startPostgres(): Promise<BenchPostgres | null> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: () => undefined, cpuMicros: () => null };
  let bin: string;
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
    bin = `/usr/lib/postgresql/${versions.at(-1)}/bin`;
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-pg-'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string) =>
    asRoot ? execSync(`su postgres -s /bin/sh -c "${cmd}"`, { stdio: 'ignore' }) : execSync(cmd, { stdio: 'ignore' });
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), -1);
  run(`${bin}/initdb -D ${dir}/data -A trust -U postgres`);
  run(`${bin}/pg_ctl -D ${dir}/data -o '-p ${port} -k ${dir} -c listen_addresses=127.0.0.1' -l ${dir}/log -w start`);
  const postmaster = Number(readFileSync(`${dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => run(`${bin}/pg_ctl -D ${dir}/data -m immediate stop`),
    cpuMicros: () => clusterCpuMicros(postmaster),
  };
}
