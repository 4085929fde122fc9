/**
 * The BullMQ baseline's needs: its own package (bench/bullmq, installed here on first use) and a throwaway
 * Redis server, Debian's redis-server, durable (appendonly yes). Null, with the reason printed, when either
 * cannot be had: the baseline is then left out of the run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './lib.js';

export async function startRedis(): Promise<{ port: number; stop: () => void } | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.error('\nredis-server not found (apt-get install redis-server): the BullMQ baseline is left out');
    return null;
  }
  if (!existsSync('bench/bullmq/node_modules/bullmq')) {
    const install = spawnSync('npm', ['install', '--prefix', 'bench/bullmq', '--no-audit', '--no-fund'], { stdio: 'ignore' });
    if (install.status !== 0) {
      console.error('\nnpm install --prefix bench/bullmq failed: the BullMQ baseline is left out');
      return null;
    }
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-redis-'));
  // appendfsync everysec (the default with appendonly): the same promise as SQLite WAL with synchronous=NORMAL.
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', dir, '--save', ''], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (
      spawnSync('redis-cli', ['-p', String(port), 'ping'])
        .stdout?.toString()
        .trim() === 'PONG'
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop: () => child.kill('SIGKILL') };
}
