/**
 * crmscript handlers from a folder (`hookd serve --scripts <dir>`, HOOKD_SCRIPTS_DIR): one ES module per script,
 * named by its file as NetServer names a script by its include name (`ScriptHook1.mjs` serves TargetUrl
 * `ScriptHook1`); its default export is the handler (`({payload, values, properties}) => unknown`).
 *
 * Each script runs in a worker thread of its own, so a script that loops forever or throws asynchronously cannot
 * stop hookd: a call that has not finished within the time limit (HOOKD_SCRIPT_TIMEOUT_MS) is a failed attempt at
 * the `timeout` stage, and that script's worker is terminated — its other calls in flight fail with it — and a new
 * one takes the next call. A thrown error (or a rejected promise) is a failed attempt at the `handler` stage. The
 * worker's heap is capped (SCRIPT_HEAP_MB). Scripts are the operator's own code: they run with hookd's rights
 * (files, network), as NetServer's CRMScripts run with the server's.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type EventHandler, type HandlerInput, ScriptTimeout } from './handlers.js';

/** A script's file name: an include name (letters, digits, `_`, `-`, `.`) and `.mjs` or `.js`. */
const SCRIPT_FILE = /^([A-Za-z0-9_][A-Za-z0-9_.-]{0,199})\.(mjs|js)$/;
/** Old-space heap of one script's worker: a script that hoards memory fails alone, not hookd. */
const SCRIPT_HEAP_MB = 128;

// The worker: imports the module once, then answers calls by id. Results go back as JSON text (a test ping shows it).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.url).then((m) => {
  const handler = typeof m.default === 'function' ? m.default : typeof m.handler === 'function' ? m.handler : null;
  if (!handler) throw new Error('exports no handler: export a function as default (or as handler)');
  return handler;
});
loaded.then(() => parentPort.postMessage({ ready: true }), (e) => parentPort.postMessage({ loadError: String(e && e.message || e) }));
parentPort.on('message', async ({ id, input }) => {
  try {
    const result = await (await loaded)(input);
    let text;
    try { text = result === undefined ? undefined : JSON.stringify(result); } catch { text = JSON.stringify(String(result)); }
    parentPort.postMessage({ id, ok: true, text });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  }
});
`;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** One script's worker, started on demand and replaced after a timeout or a crash. */
class ScriptRunner {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  /** Starts the worker and waits until the module has loaded; rejects naming why it could not. */
  async start(): Promise<void> {
    const worker = this.spawn();
    await new Promise<void>((ok, fail) => {
      const onMessage = (m: { ready?: boolean; loadError?: string }) => {
        if (m.ready) ok();
        else if (m.loadError !== undefined) fail(new Error(`crmscript '${this.name}': ${m.loadError}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', (e) => fail(new Error(`crmscript '${this.name}': ${e.message}`)));
    });
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url: this.url },
      resourceLimits: { maxOldGenerationSizeMb: SCRIPT_HEAP_MB },
      // Scripts print to hookd's own output, never read its stdin.
      stdin: false,
    });
    // An idle worker does not keep the process alive; hookd's server does.
    worker.unref();
    worker.on('message', (m: { id?: number; ok?: boolean; text?: string; error?: string }) => {
      const call = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!call || m.id === undefined) return;
      this.pending.delete(m.id);
      clearTimeout(call.timer);
      if (m.ok) call.resolve(m.text === undefined ? undefined : JSON.parse(m.text));
      else call.reject(new Error(m.error ?? 'the script failed'));
    });
    worker.on('error', (e) => this.fail(worker, new Error(`the script's worker stopped: ${e.message}`)));
    worker.on('exit', () => this.fail(worker, new Error("the script's worker exited")));
    this.worker = worker;
    return worker;
  }

  /** Fails every call in flight on `worker` and forgets it, so the next call starts a new one. */
  private fail(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      call.reject(error);
      this.pending.delete(id);
    }
  }

  /** Runs the script once; resolves with what it returned (through JSON), rejects with its error or a ScriptTimeout. */
  call(input: HandlerInput): Promise<unknown> {
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const timeout = new ScriptTimeout(this.name, this.timeoutMs);
        this.fail(worker, timeout);
        reject(timeout);
        void worker.terminate();
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolvePromise, reject, timer });
      worker.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      this.fail(worker, new Error('hookd is stopping'));
      await worker.terminate();
    }
  }
}

/** The scripts of a folder, loaded and ready; throws naming every file that does not load. */
export interface ScriptFolder {
  handlers: Map<string, EventHandler>;
  close(): Promise<void>;
}

/** Loads every script of `dir` (see the module comment); `timeoutMs` bounds each call. */
export async function loadScriptFolder(dir: string, timeoutMs: number): Promise<ScriptFolder> {
  const folder = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(folder).sort();
  } catch (e) {
    throw new Error(`HOOKD_SCRIPTS_DIR: cannot read the folder '${folder}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const runners: ScriptRunner[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const m = SCRIPT_FILE.exec(file);
    if (!m?.[1] || seen.has(m[1])) continue;
    seen.add(m[1]);
    runners.push(new ScriptRunner(m[1], pathToFileURL(join(folder, file)).href, timeoutMs));
  }
  const results = await Promise.allSettled(runners.map((r) => r.start()));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (errors.length > 0) {
    await Promise.all(runners.map((r) => r.close()));
    throw new Error(`HOOKD_SCRIPTS_DIR: ${errors.length} script(s) did not load:\n  ${errors.join('\n  ')}`);
  }
  return {
    handlers: new Map(runners.map((r) => [r.name, (input: HandlerInput) => r.call(input)])),
    close: async () => {
      await Promise.all(runners.map((r) => r.close()));
    },
  };
}
