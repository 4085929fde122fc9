/**
 * WAL checkpoints on a thread of their own. SQLite copies its write-ahead log into the database file every
 * `wal_autocheckpoint` pages, inside the commit that crosses the line, and syncs both files: on this machine a
 * 1,000-page checkpoint held the event loop ~10 ms, five times a second at full load (~4 µs a delivery in a store
 * micro-benchmark, mostly waiting for the syncs). Here a second connection in a worker thread checkpoints every
 * CHECKPOINT_EVERY_MS (PASSIVE: it never blocks the writer), and the writer's own automatic checkpoint stays as a
 * backstop at BACKSTOP_PAGES: it finds the log already copied but for its tail, and lets the log start again from
 * its beginning (under constant writes a checkpoint from another connection always ends behind the writer).
 * Durability is unchanged: the same checkpoints with the same syncs, run elsewhere.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

/** How often the thread checkpoints: at 17,000 deliveries a second, ~450 pages each time. */
const CHECKPOINT_EVERY_MS = 100;
/** The writer's own checkpoint (SQLite's default is 1,000 pages): ~40 MB of log at most between two. */
export const BACKSTOP_PAGES = 10_000;

// CommonJS run by `new Worker(…, { eval: true })`: a file of its own would need a build step for tests under tsx.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 0');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next turn */ } };
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export class Checkpointer {
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /** Starts the thread for an open database file (none for `:memory:`), and raises the writer's own checkpoint to the backstop. */
  static start(db: Db, file: string): Checkpointer | null {
    if (file === ':memory:') return null;
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: { file, module, everyMs: CHECKPOINT_EVERY_MS },
      // It holds nothing but a connection: small heaps keep its share of hookd's memory to the isolate itself.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
    });
    // A thread that fails (it cannot open the file) leaves the writer's own checkpoints to do the work.
    worker.on('error', () => db.open && db.pragma(`wal_autocheckpoint = 1000`));
    worker.unref();
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    return new Checkpointer(worker);
  }

  /** Stops the thread and closes its connection (before the writer's, so the last close removes the log). */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    const timeout = setTimeout(() => void this.worker.terminate(), 2_000);
    await this.exited;
    clearTimeout(timeout);
  }
}
