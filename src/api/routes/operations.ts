/** hookd extensions for operators: recover a stretch of the delivery log (background jobs) and retention settings. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Job } from '../../domain/job.js';
import { send } from '../content.js';
import { apiBase, dateFormatter, queryParam } from '../request-context.js';
import { IdParams, RecoverBody, RecoverQuery, RetentionBody } from '../schemas.js';
import * as R from '../response-schemas.js';
import type { RouteDeps } from './route-deps.js';

function jobCarrier(req: FastifyRequest, job: Job): Record<string, unknown> {
  const format = dateFormatter(req);
  return {
    JobId: job.id,
    Kind: 'Recover',
    State: job.state,
    Total: job.total,
    Done: job.done,
    Created: format(job.created),
    Finished: job.finished === null ? null : format(job.finished),
    Error: job.error,
    Since: format(job.scope.since),
    Until: format(job.scope.until),
    Status: job.scope.status,
    Events: job.scope.events ?? [],
    WebhookIds: job.scope.webhookIds,
    _Links: { Self: `${apiBase(req)}/Jobs/${job.id}` },
  };
}

export async function operationsRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { jobs, retention } = deps;
  const tags = ['Operations'];

  async function recover(req: FastifyRequest, reply: FastifyReply, webhookId: number | null) {
    const dryRun = /^(true|1)$/i.test(queryParam(req, 'DryRun') ?? '');
    const { count, job } = await jobs.recover(req.caller, webhookId, req.body ?? {}, dryRun);
    if (!job) return send(req, reply, 200, { DryRun: true, Count: count }, 'RecoverCount');
    reply.header('Location', `${apiBase(req)}/Jobs/${job.id}`);
    return send(req, reply, 202, jobCarrier(req, job), 'Job');
  }

  const recoverDoc =
    "{Since, Until?, Status?: 'Failed' | 'All', Events?}: send again, as new deliveries with new EventIds, the delivered deliveries of that stretch " +
    '(Failed: those delivered only after failed attempts; copies made by earlier recovers or retries are never chosen, their originals are). ' +
    '202 with a job; ?DryRun=true answers the count only; 429 (recover_jobs_limit) when the tenant has its most jobs queued or running';
  app.post(
    '/Webhook/:id/Recover',
    {
      schema: {
        tags,
        summary: `Recover one webhook's deliveries: ${recoverDoc}`,
        params: IdParams,
        querystring: RecoverQuery,
        body: RecoverBody,
        response: { 200: R.RecoverCount, 202: R.JobCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => recover(req, reply, Number((req.params as { id: string }).id)),
  );
  app.post(
    '/Webhook/Recover',
    {
      schema: {
        tags,
        summary: `Recover every webhook of the tenant: ${recoverDoc}`,
        querystring: RecoverQuery,
        body: RecoverBody,
        response: { 200: R.RecoverCount, 202: R.JobCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => recover(req, reply, null),
  );
  app.get(
    '/Jobs/:id',
    {
      schema: { tags, summary: 'A background job: state, total and done', params: IdParams, response: { 200: R.JobCarrier, ...R.ERRORS } },
    },
    async (req, reply) =>
      send(req, reply, 200, jobCarrier(req, await jobs.get(req.caller, Number((req.params as { id: string }).id))), 'Job'),
  );

  const retentionCarrier = (s: Awaited<ReturnType<typeof retention.settings>>) => ({
    DeliveryRetentionDays: s.own.deliveries,
    EventRetentionDays: s.own.events,
    Effective: { DeliveryRetentionDays: s.effective.deliveries, EventRetentionDays: s.effective.events },
  });
  app.get(
    '/Retention',
    {
      schema: {
        tags,
        summary: "This tenant's retention: its own days (null: the server's) and the days in force",
        response: { 200: R.RetentionCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => send(req, reply, 200, retentionCarrier(await retention.settings(req.caller)), 'Retention'),
  );
  app.put(
    '/Retention',
    {
      schema: {
        tags,
        summary: "Set this tenant's retention days (null: the server's; 0: keep forever); administrator only",
        body: RetentionBody,
        response: { 200: R.RetentionCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) =>
      send(req, reply, 200, retentionCarrier(await retention.set(req.caller, (req.body ?? {}) as Record<string, unknown>)), 'Retention'),
  );
}
