/** `/api/v1/Webhook/:id/Deliveries`, `…/Stats` and `…/Retry`: hookd's delivery log of a webhook (JSON, XML or CSV). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { send } from '../content.js';
import { deliveryCsvHeader, deliveryCsvLine } from '../delivery-csv.js';
import { deliveryCarrier } from '../present.js';
import { dateFormatter, queryParam } from '../request-context.js';
import { DeliveriesQuery, DeliveryParams, IdParams, StatsQuery } from '../schemas.js';
import { MAX_PAGE } from '../../services/delivery-log-service.js';
import * as R from '../response-schemas.js';
import type { RouteDeps } from './route-deps.js';
import { idOf } from './webhooks.js';

export async function deliveryLogRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { deliveryLog } = deps;
  const tags = ['Webhook'];

  /** The whole delivery log as CSV, newest first, read a page at a time (the Events tab's export). */
  async function deliveriesCsv(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const id = idOf(req);
    const format = dateFormatter(req);
    const lines = [deliveryCsvHeader()];
    for (let skip = 0; ; skip += MAX_PAGE) {
      const page = await deliveryLog.list(req.caller, id, { top: MAX_PAGE, skip }, { describe: false });
      for (const d of page.items) lines.push(deliveryCsvLine(d, format));
      if (page.items.length < MAX_PAGE) break;
    }
    return reply
      .code(200)
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="webhook-${id}-deliveries.csv"`)
      .send(`${lines.join('\r\n')}\r\n`);
  }

  app.get(
    '/Webhook/:id/Deliveries',
    {
      schema: {
        tags,
        summary: 'hookd extension: the delivery log, newest first (?Format=csv: the whole log as CSV, text/csv)',
        params: IdParams,
        querystring: DeliveriesQuery,
        response: { 200: R.DeliveryPage, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const q = req.query as { $top?: string; $skip?: string };
      if ((queryParam(req, 'Format') ?? '').toLowerCase() === 'csv') return deliveriesCsv(req, reply);
      const top = Math.min(Number(q.$top ?? 50), MAX_PAGE);
      const skip = Number(q.$skip ?? 0);
      const page = await deliveryLog.list(req.caller, idOf(req), { top, skip });
      const format = dateFormatter(req);
      return send(
        req,
        reply,
        200,
        {
          Total: page.total,
          Top: top,
          Skip: skip,
          Items: page.items.map((d) => deliveryCarrier(d, format)),
          // Strict ordering only: the delivery the queue waits for, or null when it flows.
          ...(page.blockedBy === undefined
            ? {}
            : {
                BlockedBy:
                  page.blockedBy === null
                    ? null
                    : { DeliveryId: page.blockedBy.deliveryId, EventId: page.blockedBy.eventGuid, Attempts: page.blockedBy.attempts },
              }),
          // While a secret rotation overlaps: deliveries carry signatures of both secrets.
          ...(page.rotation
            ? { SecretRotation: { PreviousSecretExpires: format(page.rotation.until), Confirmed: page.rotation.confirmed } }
            : {}),
        },
        'DeliveryPage',
      );
    },
  );

  app.get(
    '/Webhook/:id/Stats',
    {
      schema: {
        tags,
        summary: "hookd extension: the webhook's attempts per time bucket (counts, failures by status code, p50/p95 duration)",
        params: IdParams,
        querystring: StatsQuery,
        response: { 200: R.WebhookStats, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const stats = await deliveryLog.stats(req.caller, idOf(req), {
        since: queryParam(req, 'Since'),
        until: queryParam(req, 'Until'),
        bucket: queryParam(req, 'Bucket'),
      });
      const format = dateFormatter(req);
      return send(
        req,
        reply,
        200,
        {
          WebhookId: idOf(req),
          Since: format(stats.since),
          Until: format(stats.until),
          BucketSeconds: stats.bucketMs / 1000,
          Truncated: stats.truncated,
          Buckets: stats.buckets.map((b) => ({ ...b, Start: format(b.Start) })),
        },
        'WebhookStats',
      );
    },
  );

  app.post(
    '/Webhook/:id/Deliveries/:deliveryId/Retry',
    {
      schema: {
        tags,
        summary: 'hookd extension: send a delivery again',
        params: DeliveryParams,
        response: { 204: R.NoContent, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const deliveryId = Number((req.params as { deliveryId: string }).deliveryId);
      await deliveryLog.retry(req.caller, idOf(req), deliveryId);
      return reply.code(204).send();
    },
  );
}
