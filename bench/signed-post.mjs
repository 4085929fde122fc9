// The one signed NetServer POST both delivery baselines send (bare undici and BullMQ), so that they
// carry the same ~500-byte body, headers and HMAC signature as hookd's deliveries.
import { createHmac, randomUUID } from 'node:crypto';

/** POSTs contact.changed for `primaryKey` through an undici Pool; resolves with the status code. */
export async function postSigned(pool, path, primaryKey, retry = 0) {
  const id = randomUUID();
  const body = JSON.stringify({
    EventId: id,
    Timestamp: new Date().toISOString(),
    Changes: ['name', 'orgnr', 'updated'],
    Event: 'contact.changed',
    PrimaryKey: primaryKey,
    Entity: 'contact',
    ContextIdentifier: 'Default',
    ChangedByAssociateId: 1,
    WebhookName: 'bench',
    FieldValues: { associate_id: 1, business_idx: 2, category_idx: 3, country_id: 578, deleted: 0 },
  });
  const res = await pool.request({
    path,
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'NetServer-Webhook/bench',
      'X-SuperOffice-Event': 'contact.changed',
      'X-SuperOffice-EventId': id,
      'X-SuperOffice-Retry': String(retry),
      'X-SuperOffice-Signature': createHmac('sha256', 'secret').update(body).digest('base64'),
    },
  });
  await res.body.dump();
  return res.statusCode;
}
