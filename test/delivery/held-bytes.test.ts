/**
 * What the worker holds in memory is bounded in bytes, not only in deliveries (owners.ts). Events of up to the body
 * limit to a receiver that answered slowly (every answer a success) once filled the hand-off room — counted in
 * deliveries only — until the process died out of memory, after ~4,900 events of 900 KB (issue 22's memory goal).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, type TestServer, waitUntil, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const EVENTS = 60;
const BIG = 'x'.repeat(900_000);
/** The hand-off room of one webhook, in bytes (owners.ts HAND_OFF_BYTES). */
const ROOM = 32 * 1024 * 1024;

describe('bytes held by the worker', () => {
  let receiver: Receiver;
  let server: TestServer;
  let open = true;
  const answers: Array<() => void> = [];
  before(async () => {
    receiver = await Receiver.start((_r, res) => {
      if (open) res.end('ok');
      else answers.push(() => res.end('ok'));
    });
    server = await startHookd();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it(`${EVENTS} events of 900 KB to a receiver that holds its answers: at most 32 MiB held, each delivered once when it answers`, async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/big`) });
    assert.equal(created.status, 200, created.text);
    open = false;
    for (let key = 1; key <= EVENTS; key++) {
      const signalled = await call(server.url, 'POST', `/api/v1/Webhook/contact.created/${key}`, { body: { name: BIG } });
      assert.equal(signalled.status, 204, signalled.text);
    }
    const worker = server.hookd.worker!;
    await waitUntil(() => worker.activeAttempts > 0, 10_000, 'attempts in flight');
    const held = worker.heldBytes;
    assert.ok(held > 900_000, `${held} bytes held: the in-flight ones at least`);
    assert.ok(held <= ROOM, `${held} bytes held: more than the room of ${ROOM}, while ${EVENTS * 900_000} were signalled`);
    const health = await call(server.url, 'GET', '/healthz', { auth: null });
    assert.ok(health.json.worker.heldBytes > 900_000 && health.json.worker.heldBytes <= ROOM, '/healthz shows it');
    open = true;
    for (const answer of answers.splice(0)) answer();
    await receiver.waitFor(EVENTS, 30_000);
    const keys = receiver.received.map((r) => (JSON.parse(r.body.toString()) as { PrimaryKey: number }).PrimaryKey);
    assert.deepEqual(
      [...keys].sort((a, b) => a - b),
      Array.from({ length: EVENTS }, (_, i) => i + 1),
      'each event delivered once: those left in the store were read back',
    );
    await waitUntil(() => worker.heldBytes === 0, 10_000, 'nothing held once all were delivered');
  });
});
