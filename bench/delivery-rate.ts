/**
 * Delivery throughput of one hookd process on SQLite to one local receiver, end to end (from the first
 * batch signalled to the last delivery received, ingestion included), as a ratio to bare undici POSTs of the same signed body to
 * the same receiver, measured in the same run.
 */
import { api, median, progress, startHookdProcess, startProcess } from './lib.js';

const RUNS = 3;
const EVENTS = 20_000;
const BATCH = 5_000;

async function receivedCount(receiverPort: string): Promise<number> {
  return Number(await (await fetch(`http://127.0.0.1:${receiverPort}/count`)).text());
}

export async function runDeliveryRate(): Promise<Array<{ name: string; hookd: number; baseline: number; ratio: number; unit: string }>> {
  const receiver = await startProcess('bench/receiver.mjs');
  const target = `http://127.0.0.1:${receiver.line}/hook`;
  const h: number[] = [];
  const b: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('delivery rate', run, RUNS);
    const bare = await startProcess('bench/bare-undici.mjs', [target, String(EVENTS), '64']);
    b.push(Number(bare.line));

    const hookd = await startHookdProcess();
    await api(hookd.url, 'POST', '/api/v1/Webhook', { Name: 'bench', Events: ['contact.changed'], TargetUrl: target, Secret: 'secret' });
    const start = await receivedCount(receiver.line);
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i += BATCH) {
      const items = Array.from({ length: BATCH }, (_, k) => ({
        EventName: 'contact.changed',
        PrimaryKey: i + k,
        Data: {
          Changes: ['name', 'orgnr', 'updated'],
          FieldValues: { associate_id: 1, business_idx: 2, category_idx: 3, country_id: 578, deleted: 0 },
        },
      }));
      await api(hookd.url, 'POST', '/api/v1/Webhook/Events', items);
    }
    while ((await receivedCount(receiver.line)) - start < EVENTS) await new Promise((r) => setTimeout(r, 5));
    h.push(Math.round(EVENTS / ((performance.now() - t0) / 1000)));
    hookd.child.kill();
  }
  progress('delivery rate', RUNS, RUNS);
  receiver.child.kill();
  return [
    { name: 'deliveries/s, 1 webhook, SQLite', hookd: median(h), baseline: median(b), ratio: median(h) / median(b), unit: 'deliveries/s' },
  ];
}
