/** hookd extensions for associates: adding users (with the e-mail address ErrorAssociates are told at) and their in-app notifications. */
import type { FastifyInstance } from 'fastify';
import { associateCarrier } from '../../domain/carrier.js';
import { send } from '../content.js';
import { dateFormatter } from '../request-context.js';
import * as R from '../response-schemas.js';
import { AssociateBody, IdParams } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

export async function associateRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth } = deps;
  const tags = ['Accounts'];

  app.post(
    '/Associate',
    {
      schema: {
        tags,
        summary: 'Add an associate (user) to this tenant, with an optional e-mail address for ErrorAssociates (administrator only)',
        body: AssociateBody,
        response: { 200: R.AssociateCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const associate = await auth.createAssociate(req.caller.associate, req.caller.tenant, req.body as Record<string, unknown>);
      return send(req, reply, 200, associateCarrier(associate), 'Associate');
    },
  );

  app.get(
    '/Associate',
    {
      schema: {
        tags,
        summary: "This tenant's associates (users), by id: whom ErrorAssociates may name",
        response: { 200: R.AssociateList, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const list = await auth.listAssociates(req.caller.tenant);
      return send(req, reply, 200, list.map(associateCarrier), 'ArrayOfAssociate');
    },
  );

  app.get(
    '/Associate/:id',
    { schema: { tags, summary: 'An associate of this tenant', params: IdParams, response: { 200: R.AssociateCarrier, ...R.ERRORS } } },
    async (req, reply) => {
      const associate = await auth.getAssociate(req.caller.tenant, Number((req.params as { id: string }).id));
      return send(req, reply, 200, associateCarrier(associate), 'Associate');
    },
  );

  app.get(
    '/Notifications',
    {
      schema: {
        tags,
        summary: "The caller's in-app notifications (NotifyVia InApp of webhooks naming the caller in ErrorAssociates), oldest first",
        response: { 200: R.NotificationList, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const list = await deps.deliveryLog.notifications(req.caller);
      const format = dateFormatter(req);
      const items = list.map((n) => ({
        NotificationId: n.id,
        WebhookId: n.webhookId,
        Reason: n.reason,
        Subject: n.subject,
        Body: n.body,
        Created: format(n.created),
      }));
      return send(req, reply, 200, items, 'ArrayOfNotification');
    },
  );
}
