/** Starts a real hookd (real SQLite file in a temp folder, real HTTP on loopback) for one test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config/settings.js';
import { createHookd, type Hookd } from '../../src/hookd.js';
import { openStore } from '../../src/store/open-store.js';
import type { Clock } from '../../src/lib/clock.js';
import type { Store } from '../../src/store/store.js';
import { testStore } from './stores.js';

export const ADMIN = { user: 'admin', password: 'admin-password-1' };

export interface TestServer {
  hookd: Hookd;
  url: string;
  dataDir: string;
  config: Config;
  /** Manual delivery (a TestClock was given): runs the worker until nothing more is due at the clock's time. */
  deliver(): Promise<void>;
  close(): Promise<void>;
}

/** The test settings on `dataDir`, then `env` (environment variables), then `overrides`. */
export function testConfig(dataDir: string, env: Record<string, string> = {}, overrides: Partial<Config> = {}): Config {
  const { config, errors } = loadConfig(env, {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminUser: ADMIN.user,
    adminPassword: ADMIN.password,
    allowPrivateTargets: true,
    logLevel: (process.env.HOOKD_TEST_LOG_LEVEL as Config['logLevel'] | undefined) ?? 'silent',
    pollIntervalMs: 200,
    shutdownTimeoutMs: 500,
    ...overrides,
  });
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return config;
}

/** A hookd listening on loopback, on `dataDir` (or on `store` when given); the caller closes it. */
export async function listenOn(
  dataDir: string,
  options: { env?: Record<string, string>; store?: Store } = {},
): Promise<{ hookd: Hookd; url: string }> {
  const hookd = await createHookd(testConfig(dataDir, options.env, { pollIntervalMs: 100 }), { store: options.store });
  return { hookd, url: await hookd.listen() };
}

/** A clock a test moves by hand (starts at a fixed instant, so dates in answers are exact). */
export class TestClock implements Clock {
  constructor(private at = Date.UTC(2026, 0, 5, 9, 0, 0)) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/**
 * A hookd on loopback with its own store. With `clock`, delivery is manual: nothing is sent until the test
 * calls `server.deliver()`, which runs the worker until nothing more can happen at the clock's time.
 */
export async function startHookd(
  overrides: Partial<Config> = {},
  options: {
    clock?: TestClock;
    /** Fault injection: the test's view of the real store (see `overriding`). */ wrapStore?: (store: Store) => Store;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-test-'));
  const config = testConfig(dataDir, {}, overrides);
  const made = await testStore();
  const { cleanup } = made;
  const store = options.wrapStore ? options.wrapStore(made.store ?? openStore(config)) : made.store;
  const hookd = await createHookd(config, { store, clock: options.clock, manualDelivery: options.clock !== undefined });
  const url = await hookd.listen();
  return {
    hookd,
    url,
    dataDir,
    config,
    async deliver() {
      if (!hookd.worker) throw new Error('this hookd has no worker');
      await hookd.worker.runUntilIdle();
    },
    async close() {
      await hookd.close();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function basic(user = ADMIN.user, password = ADMIN.password): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One HTTP request to hookd; JSON bodies are sent as JSON unless a string is given. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; auth?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.auth !== null) headers.Authorization = options.auth ?? basic();
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A valid webhook carrier to start from. */
export function webhookBody(targetUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { Name: 'Test hook', Events: ['contact.created'], TargetUrl: targetUrl, Secret: 'sekret', ...overrides };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
