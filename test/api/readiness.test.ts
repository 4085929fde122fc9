/** /healthz is liveness; /readyz tells a load balancer whether this process can accept events (its store answers). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHookd, type Hookd } from '../../src/hookd.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { call, testConfig } from '../helpers/harness.js';
import { testStore } from '../helpers/stores.js';

describe('readiness', () => {
  let hookd: Hookd;
  let url: string;
  let dataDir: string;
  let cleanup: () => Promise<void>;
  /** How the store's ping behaves: as the real store, refused (the database is down), or never answering. */
  let database: 'up' | 'down' | 'hanging' = 'up';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hookd-ready-'));
    const config = testConfig(dataDir);
    const made = await testStore();
    cleanup = made.cleanup;
    const inner = made.store ?? openStore(config);
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'ping') {
          return () =>
            database === 'up'
              ? target.ping()
              : database === 'down'
                ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
                : new Promise<void>(() => undefined);
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Store;
    hookd = await createHookd(config, { store });
    url = await hookd.listen();
  });
  after(async () => {
    await hookd.close();
    await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 200 while the store answers, 503 store_unreachable while it refuses or hangs, and 200 again after', async () => {
    const ready = await call(url, 'GET', '/readyz', { auth: null });
    assert.deepEqual([ready.status, ready.json], [200, { status: 'ready' }]);

    database = 'down';
    const down = await call(url, 'GET', '/readyz', { auth: null });
    assert.equal(down.status, 503);
    assert.deepEqual(down.json, { status: 'store_unreachable', error: 'connect ECONNREFUSED 127.0.0.1:5432' });
    assert.equal((await call(url, 'GET', '/healthz', { auth: null })).status, 200, '/healthz stays liveness: the process is alive');

    database = 'hanging';
    const hanging = await call(url, 'GET', '/readyz', { auth: null });
    assert.equal(hanging.status, 503);
    assert.deepEqual(hanging.json, { status: 'store_unreachable', error: 'the store did not answer within 2000 ms' });

    database = 'up';
    assert.equal((await call(url, 'GET', '/readyz', { auth: null })).status, 200);
  });
});
