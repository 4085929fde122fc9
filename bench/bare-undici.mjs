// The limit: bare undici POSTs of a signed ~500-byte NetServer body to the receiver, CONCURRENCY at a time.
// Args: receiverUrl count concurrency. Prints deliveries per second.
import { createHmac, randomUUID } from 'node:crypto';
import { Pool } from 'undici';

const [url, countArg, concurrencyArg] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const pool = new Pool(new URL(url).origin, { connections: concurrency });
let next = 0;
const t0 = performance.now();
async function lane() {
  while (next < count) {
    const i = next++;
    const id = randomUUID();
    const body = JSON.stringify({
      EventId: id,
      Timestamp: new Date().toISOString(),
      Changes: ['name', 'orgnr', 'updated'],
      Event: 'contact.changed',
      PrimaryKey: i,
      Entity: 'contact',
      ContextIdentifier: 'Default',
      ChangedByAssociateId: 1,
      WebhookName: 'bench',
      FieldValues: { associate_id: 1, business_idx: 2, category_idx: 3, country_id: 578, deleted: 0 },
    });
    const res = await pool.request({
      path: new URL(url).pathname,
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': 'NetServer-Webhook/bench',
        'X-SuperOffice-Event': 'contact.changed',
        'X-SuperOffice-EventId': id,
        'X-SuperOffice-Retry': '0',
        'X-SuperOffice-Signature': createHmac('sha256', 'secret').update(body).digest('base64'),
      },
    });
    await res.body.dump();
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
console.log(Math.round(count / ((performance.now() - t0) / 1000)));
await pool.close();
