/** A throwaway PostgreSQL cluster for the benchmarks (BENCH_DATABASE_URL, when set, is used instead). */
import { execFileSync, execSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './lib.js';

export async function startPostgres(): Promise<{ url: string; stop: () => void } | null> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: () => undefined };
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
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => run(`${bin}/pg_ctl -D ${dir}/data -m immediate stop`),
  };
}
