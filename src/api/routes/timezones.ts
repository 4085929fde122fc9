/** `GET /api/v1/timezone`: the SuperOffice time-zone codes SO-TimeZone accepts (domain/so-timezones.ts). */
import type { FastifyInstance } from 'fastify';
import { timeZoneList } from '../../domain/so-timezones.js';
import { send } from '../content.js';
import * as R from '../response-schemas.js';
import type { RouteDeps } from './route-deps.js';

export async function timeZoneRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    '/timezone',
    {
      schema: {
        tags: ['TimeZone'],
        summary: 'The SuperOffice time-zone codes SO-TimeZone accepts, with their offsets',
        response: { 200: R.TimeZoneList, ...R.ERRORS },
      },
    },
    async (req, reply) => send(req, reply, 200, timeZoneList(deps.clock.now()), 'ArrayOfTimeZone'),
  );
}
