/**
 * "Online Restricted" (issue 23): the administrator's grants of the Webhook agent to applications, for
 * HOOKD_APP_ACCESS=restricted. `GET /AppAccess` (the mode and the grants), `POST /AppAccess` `{AppToken, Name}`,
 * `DELETE /AppAccess/{AppTokenHash}`. Administrator only; never a portal token (not in PORTAL_ROUTES).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppGrant } from '../../domain/app-access.js';
import { utcTimestamp } from '../../domain/timestamp.js';
import type { AppAccessService } from '../../services/app-access-service.js';
import { send } from '../content.js';
import * as R from '../response-schemas.js';

const GrantCarrier = Type.Object({
  AppTokenHash: Type.String({ description: "SHA-256 (hex) of the application's SO-AppToken; the token itself is not kept" }),
  Name: Type.String(),
  Granted: Type.String({ format: 'date-time' }),
  GrantedBy: Type.Integer({ description: 'AssociateId of the administrator who granted it' }),
});
const AccessCarrier = Type.Object({ Mode: Type.String({ enum: ['Open', 'Restricted'] }), Grants: Type.Array(GrantCarrier) });
const GrantBody = Type.Object({
  AppToken: Type.String({ minLength: 1, maxLength: 200, description: 'The SO-AppToken the application sends' }),
  Name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
});
const HashParams = Type.Object({ hash: Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'AppTokenHash of a grant' }) });

const carrier = (g: AppGrant) => ({ AppTokenHash: g.tokenHash, Name: g.name, Granted: utcTimestamp(g.granted), GrantedBy: g.grantedBy });

export async function appAccessRoutes(app: FastifyInstance, deps: { appAccess: AppAccessService }): Promise<void> {
  const { appAccess } = deps;
  const tags = ['Application access'];
  app.get(
    '/AppAccess',
    {
      schema: {
        tags,
        summary: 'Online Restricted: the mode (HOOKD_APP_ACCESS) and the applications granted the Webhook agent; administrator only',
        response: { 200: AccessCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const grants = await appAccess.list(req.caller);
      const mode = appAccess.mode === 'restricted' ? 'Restricted' : 'Open';
      return send(req, reply, 200, { Mode: mode, Grants: grants.map(carrier) }, 'AppAccess');
    },
  );
  app.post(
    '/AppAccess',
    {
      schema: {
        tags,
        summary: 'Grant an application (by its SO-AppToken) the Webhook agent; administrator only',
        body: GrantBody,
        response: { 200: GrantCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const b = req.body as { AppToken: unknown; Name?: unknown };
      return send(req, reply, 200, carrier(await appAccess.grant(req.caller, b.AppToken, b.Name)), 'AppGrant');
    },
  );
  app.delete(
    '/AppAccess/:hash',
    {
      schema: {
        tags,
        summary: "Take an application's grant back; administrator only",
        params: HashParams,
        response: { 204: R.NoContent, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      await appAccess.revoke(req.caller, (req.params as { hash: string }).hash);
      return reply.code(204).send();
    },
  );
}
