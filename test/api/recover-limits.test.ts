/**
 * Recover jobs under load (issue 20, finding 5): a tenant may have only so many open (429 beyond, with its
 * ErrorCode); tenants take turns batch by batch, a tenant's own jobs one after another; a job copies exactly
 * what its Total counted — never another job's copies delivered meanwhile — so Done never passes Total.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { JobService } from '../../src/services/job-service.js';
import type { RecoverJobs } from '../../src/store/jobs.js';
import { basic, call, startHookd, TestClock, type TestServer, webhookBody } from '../helpers/harness.js';
import { type Received, Receiver } from '../helpers/receiver.js';
import { overriding } from '../helpers/stores.js';

const clock = new TestClock();
let server: TestServer;
let receiver: Receiver;
const OTHER = { tenant: 'Other', auth: basic('ann', 'ann-password') };

before(async () => {
  receiver = await Receiver.start((_req, res) => {
    res.statusCode = 200;
    res.end();
  });
  server = await startHookd({}, { clock });
  const t = await call(server.url, 'POST', '/api/v1/Tenant', {
    body: { ContextIdentifier: 'Other', UserName: 'ann', Password: 'ann-password' },
  });
  assert.equal(t.status, 200, t.text);
});
after(async () => {
  await server.close();
  await receiver.close();
});

const at = (path: string): Received[] => receiver.received.filter((r) => r.path === path);
const base = (tenant?: string) => (tenant ? `/${tenant}/api/v1` : '/api/v1');

async function hook(path: string, event: string, tenant?: { tenant: string; auth: string }): Promise<number> {
  const res = await call(server.url, 'POST', `${base(tenant?.tenant)}/Webhook`, {
    body: webhookBody(`${receiver.url}${path}`, { Events: [event] }),
    auth: tenant?.auth,
  });
  assert.equal(res.status, 200, res.text);
  return res.json.WebhookId;
}

async function signal(event: string, count: number, tenant?: { tenant: string; auth: string }): Promise<void> {
  for (let k = 1; k <= count; k++) {
    const res = await call(server.url, 'POST', `${base(tenant?.tenant)}/Webhook/${event}/${k}`, { body: {}, auth: tenant?.auth });
    assert.equal(res.status, 204, res.text);
  }
}

const recover = (tenant?: { tenant: string; auth: string }, query = '') =>
  call(server.url, 'POST', `${base(tenant?.tenant)}/Webhook/Recover${query}`, { body: { Since: '1h', Status: 'All' }, auth: tenant?.auth });
const job = async (id: number, tenant?: { tenant: string; auth: string }) =>
  (await call(server.url, 'GET', `${base(tenant?.tenant)}/Jobs/${id}`, { auth: tenant?.auth })).json;

describe('recover jobs: limits, turns, Done ≤ Total', () => {
  /** Default's five open jobs and Other's one, made by the limits case and run by the turns case. */
  const ids: number[] = [];
  let otherId = 0;

  it("copies exactly what its Total counted: another job's copies, delivered meanwhile, are not copied again (Done 6 of 6, not 12)", async () => {
    await hook('/a', 'contact.created');
    await signal('contact.created', 6);
    await server.deliver();
    assert.equal(at('/a').length, 6);
    clock.advance(1000); // a recover's stretch ends before now

    const first = await recover();
    assert.deepEqual([first.status, first.json.Total], [202, 6], first.text);
    assert.equal(await server.hookd.jobs.runPending(), 1);
    clock.advance(1000); // the copies fall inside the next recover's stretch
    // The first job's six copies are queued, not yet delivered, when the second is asked for…
    const second = await recover();
    assert.equal(second.json.Total, 6, 'six delivered deliveries: the originals');
    await server.deliver(); // …and delivered before it runs
    assert.equal(at('/a').length, 12);
    assert.equal(await server.hookd.jobs.runPending(), 1);
    await server.deliver();
    const done = await job(second.json.JobId);
    assert.deepEqual([done.State, done.Done, done.Total], ['Done', 6, 6], 'Done never above Total (it was 12 of 6)');
    assert.equal(at('/a').length, 18, 'each recover sent each event once more: 6 + 6 + 6, not 6 + 6 + 12');
    const dry = await recover(undefined, '?DryRun=true');
    assert.equal(dry.json.Count, 6, 'copies are never counted: their originals stand for them');
  });

  it('a tenant may have 1 running + 4 queued recover jobs; one more is a 429 with recover_jobs_limit; other tenants are not affected', async () => {
    await hook('/b', 'contact.created', OTHER);
    await signal('contact.created', 3, OTHER);
    await server.deliver();
    clock.advance(1000);
    for (let i = 0; i < 5; i++) {
      const res = await recover();
      assert.equal(res.status, 202, res.text);
      ids.push(res.json.JobId);
    }
    const refused = await recover();
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.json.ErrorCode, 'recover_jobs_limit');
    assert.match(refused.json.ErrorMessage, /5 recover jobs queued or running/);
    assert.equal((await recover(undefined, '?DryRun=true')).status, 200, 'a dry run is never limited');
    const other = await recover(OTHER);
    assert.equal(other.status, 202, "another tenant's recover is not refused");
    otherId = other.json.JobId;
  });

  it("tenants take turns batch by batch, a tenant's jobs one after another", async () => {
    // Turns, recorded at the store: which job each batch copied for (batches of 2: Default's jobs take 3 each, Other's 2).
    const turns: number[] = [];
    const jobs: RecoverJobs = overriding(server.hookd.store.jobs, {
      recoverBatch: (jobId, ...rest) => {
        turns.push(jobId);
        return server.hookd.store.jobs.recoverBatch(jobId, ...rest);
      },
    });
    const runner = new JobService({
      jobs,
      clock,
      logger: pino({ level: 'silent' }),
      webhooks: undefined as never,
      onWork: () => undefined,
      owner: 'test-runner',
      batchSize: 2,
      pauseMs: 0,
    });
    assert.equal(await runner.runPending(), 6);
    assert.deepEqual(
      turns.slice(0, 4),
      [otherId, ids[0], otherId, ids[0]],
      "the tenants take turns (Other first: Default had turns in the test before): Other's one job is done in the third batch, not after Default's fifteen (first in, first out)",
    );
    const defaultTurns = turns.filter((id) => id !== otherId);
    assert.deepEqual(
      defaultTurns,
      ids.flatMap((id) => [id, id, id]),
      "Default's jobs ran one after another, oldest first",
    );
    for (const id of ids) {
      const j = await job(id);
      assert.deepEqual([j.State, j.Done, j.Total], ['Done', 6, 6]);
    }
    assert.deepEqual((await job(otherId, OTHER)).Done, 3);
    assert.equal((await recover()).status, 202, 'once they are done, a recover is accepted again');
  });
});
