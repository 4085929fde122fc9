// The load generator of the latency case: 1,000 events a second for 5 s (after 1 s unmeasured), 10 every 10 ms, either signalled
// to hookd (arg 'hookd': POST /api/v1/Webhook/Events) or POSTed straight to the receiver (arg 'direct').
// Args: url mode firstKey. Prints {PrimaryKey: send time (ms since the epoch)} as one JSON line.
import { Pool } from 'undici';

const [url, mode, firstArg] = process.argv.slice(2);
const first = Number(firstArg);
const auth = `Basic ${Buffer.from('admin:bench-password').toString('base64')}`;
const target = new URL(url);
const pool = new Pool(target.origin, { connections: 32 });
const sent = {};
const pending = [];
const now = () => performance.timeOrigin + performance.now();
// The first second is not measured (keys past 1,000,000 + first): it is this process's own cold start — its connections
// opened and undici compiled — which made the first ticks of every run 10–14 ms late, whichever the target.
const WARMUP_TICKS = 100;
const t0 = performance.now();
for (let tick = -WARMUP_TICKS; tick < 500; tick++) {
  const wait = t0 + (tick + WARMUP_TICKS) * 10 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const keys = Array.from({ length: 10 }, (_, i) => (tick < 0 ? 1_000_000 + first + (tick + WARMUP_TICKS) * 10 : first + tick * 10) + i);
  if (tick >= 0) for (const k of keys) sent[k] = now();
  if (mode === 'hookd') {
    const body = JSON.stringify(keys.map((k) => ({ EventName: 'contact.changed', PrimaryKey: k })));
    pending.push(
      pool
        .request({
          path: '/api/v1/Webhook/Events',
          method: 'POST',
          body,
          headers: { Authorization: auth, 'Content-Type': 'application/json' },
        })
        .then((r) => r.body.dump()),
    );
  } else {
    for (const k of keys) {
      const body = JSON.stringify({ Event: 'contact.changed', PrimaryKey: k });
      pending.push(
        pool
          .request({ path: target.pathname, method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
          .then((r) => r.body.dump()),
      );
    }
  }
}
await Promise.all(pending);
console.log(JSON.stringify(sent));
await pool.close();
