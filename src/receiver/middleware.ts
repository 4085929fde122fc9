/**
 * Signature checks for receivers: Express-style middleware and a Fastify plugin that verify
 * `X-SuperOffice-Signature` over the raw body bytes and answer 401 when it is wrong or missing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifySignature } from '../signing/netserver.js';
import type { WebhookPayload } from './types.js';

const UNAUTHORIZED = JSON.stringify({ error: 'Invalid signature.' });

function readRaw(req: IncomingMessage & { body?: unknown; rawBody?: Buffer }): Promise<Buffer> {
  if (Buffer.isBuffer(req.rawBody)) return Promise.resolve(req.rawBody);
  if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body); // express.raw()
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Express (or plain node:http) middleware. Mount it before any JSON body parser, or after `express.raw()`:
 * a parsed body cannot be verified. On success `req.body` is the parsed payload and `req.rawBody` the bytes.
 */
export function superOfficeSignature(secret: string) {
  return (req: IncomingMessage & { body?: unknown; rawBody?: Buffer }, res: ServerResponse, next: (err?: unknown) => void): void => {
    readRaw(req).then(
      (raw) => {
        if (!verifySignature(raw, req.headers['x-superoffice-signature'] as string | undefined, secret)) {
          res.statusCode = 401;
          res.setHeader('Content-Type', 'application/json');
          res.end(UNAUTHORIZED);
          return;
        }
        req.rawBody = raw;
        try {
          req.body = JSON.parse(raw.toString('utf8')) as WebhookPayload;
        } catch {
          req.body = raw.toString('utf8');
        }
        next();
      },
      (e) => next(e),
    );
  };
}

/**
 * Fastify plugin: keeps the raw bytes of JSON bodies and rejects requests whose signature does not match.
 * `app.register(fastifySuperOfficeSignature, { secret })`; the parsed payload is `request.body`.
 */
export async function fastifySuperOfficeSignature(app: FastifyInstance, options: { secret: string }): Promise<void> {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    (req as FastifyRequest & { rawBody?: Buffer }).rawBody = body as Buffer;
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = (req as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    if (!verifySignature(raw, req.headers['x-superoffice-signature'] as string | undefined, options.secret)) {
      return reply.code(401).type('application/json').send(UNAUTHORIZED);
    }
  });
}
// Applies to the routes of the instance it is registered on (what fastify-plugin would do).
(fastifySuperOfficeSignature as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
