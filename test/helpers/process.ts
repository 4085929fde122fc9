/** Runs hookd as a real separate process (the way `npm start` does), for crash and shutdown tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ADMIN } from './harness.js';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface HookdProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output: () => string;
}

export async function spawnHookd(
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<HookdProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      HOOKD_DATA_DIR: dataDir,
      HOOKD_ADMIN_USER: ADMIN.user,
      HOOKD_ADMIN_PASSWORD: ADMIN.password,
      HOOKD_ALLOW_PRIVATE_TARGETS: '1',
      HOOKD_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hookd exited during start: ${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`hookd did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, exited, output: () => out };
}
