/** /healthz is liveness; /readyz tells a load balancer whether this process can accept events (its store answers). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, type TestServer } from '../helpers/harness.js';
import { overriding } from '../helpers/stores.js';

describe('readiness', () => {
  let server: TestServer;
  let url: string;
  /** How the store's ping behaves: as the real store, refused (the database is down), or never answering. */
  let database: 'up' | 'down' | 'hanging' = 'up';

  before(async () => {
    server = await startHookd(
      {},
      {
        wrapStore: (store) =>
          overriding(store, {
            ping: () =>
              database === 'up'
                ? store.ping()
                : database === 'down'
                  ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
                  : new Promise<void>(() => undefined),
          }),
      },
    );
    url = server.url;
  });
  after(async () => server.close());

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
