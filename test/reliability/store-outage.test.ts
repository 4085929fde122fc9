/**
 * The store failing under ingestion: a full disk (SQLite) or an unreachable server (PostgreSQL) gives 503
 * store_unavailable, never a half-written event; everything acknowledged before is delivered once the
 * store is back, and ingestion works again without a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import type { Hookd } from '../../src/hookd.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';
import { call, listenOn, waitUntil, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { freshPostgres, POSTGRES_URL } from '../helpers/stores.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function startOn(store: Store): Promise<{ hookd: Hookd; url: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-outage-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return listenOn(dataDir, { store });
}

/** Signals one event: 204 when it was stored (acknowledged), 503 when the store was not available. */
async function signal(url: string, key: number): Promise<number> {
  const res = await call(url, 'POST', '/api/v1/Webhook/Events', {
    body: [{ EventName: 'contact.created', PrimaryKey: key, Data: { padding: 'p'.repeat(2000) } }],
  });
  if (res.status !== 204) {
    assert.equal(res.status, 503, res.text);
    assert.equal(res.json.ErrorCode, 'store_unavailable');
    assert.match(res.json.ErrorMessage, /nothing was saved/);
  }
  return res.status;
}

function deliveredKeys(receiver: Receiver): Set<number> {
  return new Set(receiver.received.map((r) => (JSON.parse(r.body.toString('utf8')) as { PrimaryKey: number }).PrimaryKey));
}

describe('store outages', () => {
  it('SQLite disk full: 503 while full, no partial write, every acknowledged event delivered afterwards', async () => {
    const receiver = await Receiver.start();
    cleanups.push(() => receiver.close());
    const dir = mkdtempSync(join(tmpdir(), 'hookd-full-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = SqliteStore.open(dir);
    const { hookd, url } = await startOn(store);
    cleanups.push(() => hookd.close());
    assert.equal((await call(url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/full`) })).status, 200);

    // The store's own connection (a private field): SQLite's page limit makes the file "full" exactly as a full disk does (SQLITE_FULL).
    const db = (store as unknown as { db: Database.Database }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 40}`);
    const acknowledged: number[] = [];
    let refused = 0;
    for (let key = 1; key <= 400 && refused < 5; key++) {
      if ((await signal(url, key)) === 204) acknowledged.push(key);
      else refused++;
    }
    assert.equal(refused, 5, 'the full store refused events with 503');
    assert.ok(acknowledged.length > 0);

    db.pragma('max_page_count = 1073741823'); // space again
    for (let key = 1001; key <= 1010; key++) {
      assert.equal(await signal(url, key), 204, 'ingestion works again without a restart');
      acknowledged.push(key);
    }
    await waitUntil(() => acknowledged.every((k) => deliveredKeys(receiver).has(k)), 20_000, 'every acknowledged event delivered');
    const stored = db.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
    assert.equal(stored.n, acknowledged.length, 'exactly the acknowledged events are stored: nothing half-written');
    const queued = await hookd.store.deliveryLog.countQueued();
    assert.equal(queued, 0);
  });

  it(
    'PostgreSQL unreachable: 503 while down, then ingestion and delivery resume',
    { skip: !POSTGRES_URL && 'no PostgreSQL server' },
    async () => {
      const receiver = await Receiver.start();
      cleanups.push(() => receiver.close());
      const target = new URL(POSTGRES_URL);
      // A TCP relay in front of the server: closing it makes the database unreachable for hookd, and only for hookd.
      const sockets = new Set<Socket>();
      let relay: Server | null = null;
      const openRelay = async (port: number) => {
        relay = createServer((inbound) => {
          const outbound = connect(Number(target.port || 5432), target.hostname);
          for (const s of [inbound, outbound]) {
            sockets.add(s);
            s.on('error', () => undefined);
            s.on('close', () => sockets.delete(s));
          }
          inbound.pipe(outbound).pipe(inbound);
        });
        await new Promise<void>((r) => relay!.listen(port, '127.0.0.1', r));
        return (relay.address() as { port: number }).port;
      };
      const closeRelay = async () => {
        const r = relay;
        relay = null;
        for (const s of sockets) s.destroy();
        if (r) await new Promise<void>((resolve) => r.close(() => resolve()));
      };
      const port = await openRelay(0);
      cleanups.push(closeRelay);
      const { schema, drop } = await freshPostgres();
      cleanups.push(drop);
      const relayed = new URL(POSTGRES_URL);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(port);
      const store = PostgresStore.open(relayed.toString(), schema);
      const { hookd, url } = await startOn(store);
      cleanups.push(() => hookd.close());
      assert.equal((await call(url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/pg`) })).status, 200);

      const acknowledged: number[] = [];
      for (let key = 1; key <= 20; key++) {
        assert.equal(await signal(url, key), 204);
        acknowledged.push(key);
      }
      await closeRelay();
      for (let key = 100; key < 103; key++) assert.equal(await signal(url, key), 503, 'the database is down');

      await openRelay(port);
      for (let key = 200; key < 210; key++) {
        assert.equal(await signal(url, key), 204, 'ingestion works again without a restart');
        acknowledged.push(key);
      }
      // Within a second or two. It used to take a whole lease (20 s) in 3 runs of 5 under load: an exchange that took a
      // webhook committed while its answer was lost, and the owner's own lease kept the webhook from it (fixed in the
      // acquire query; queue-contract "lost the answer to its own take"). 10 s stays well under a lease.
      await waitUntil(() => acknowledged.every((k) => deliveredKeys(receiver).has(k)), 10_000, 'every acknowledged event delivered');
      assert.ok(![100, 101, 102].some((k) => deliveredKeys(receiver).has(k)), 'refused events were not stored');
    },
  );
});
