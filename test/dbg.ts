import { call, startHookd, webhookBody } from './helpers/harness.js';
import { Receiver } from './helpers/receiver.js';

const receiver = await Receiver.start();
const s = await startHookd();
await call(s.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/x`, { Events: ['contact.*'] }) });
const items = Array.from({ length: 2000 }, (_, i) => ({ EventName: 'contact.changed', PrimaryKey: i + 1 }));
const t0 = Date.now();
await call(s.url, 'POST', '/api/v1/Webhook/Events', { body: items });
console.log('stored', Date.now() - t0);
await receiver.waitFor(2000, 60000);
console.log('delivered', Date.now() - t0);
await s.close();
await receiver.close();
