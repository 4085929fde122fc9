/**
 * Content negotiation (post-webhook.md "Request Headers"): request bodies in JSON, XML, form or the two
 * patch formats; responses in JSON or XML by Accept. Malformed bodies get a 400 in the error envelope.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HookdError } from '../domain/errors.js';
import { checkInput, checkName, checkParameter } from '../domain/input-guard.js';
import { buildXml, parseXml } from './xml.js';

const JSON_TYPES = ['application/json', 'text/json', 'application/json-patch+json', 'application/merge-patch+json'];
const XML_TYPES = ['application/xml', 'text/xml'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const SUPPORTED = [...JSON_TYPES, ...XML_TYPES, FORM_TYPE].join(', ');

function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HookdError('body_malformed', { format: 'JSON', detail: (e as Error).message });
  }
}

/**
 * Form bodies: `Name=x&Events=a&Events=b` (or `Events=a,b`), `Headers.X-Key=v` or `Headers[X-Key]=v`,
 * `Properties.key=v`. Objects have no prototype and names that would reach one are refused (input-guard.ts).
 */
export function parseForm(text: string): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of new URLSearchParams(text)) {
    const nested = /^([^.[]+)(?:\.(.+)|\[(.+)\])$/.exec(key);
    if (nested) {
      const parent = nested[1] as string;
      const child = (nested[2] ?? nested[3]) as string;
      checkName(parent, 'request body', key);
      checkName(child, 'request body', key);
      const prev = Object.hasOwn(out, parent) ? out[parent] : undefined;
      const obj = (typeof prev === 'object' && prev !== null && !Array.isArray(prev) ? prev : Object.create(null)) as Record<
        string,
        unknown
      >;
      obj[child] = value;
      out[parent] = obj;
    } else {
      checkName(key, 'request body');
      if (Object.hasOwn(out, key)) {
        const prev = out[key];
        out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
      } else out[key] = key.toLowerCase() === 'events' ? [value] : value;
    }
  }
  // A single comma-separated Events value stays a list of one string; the validator splits it.
  return out;
}

function asText(body: unknown): string {
  return typeof body === 'string' ? body : String(body);
}

/** Runs a parser and the input guard over what it made; any throw goes to Fastify as the request's error. */
function guarded(parse: (text: string) => unknown) {
  return (_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    try {
      const value = parse(asText(body));
      checkInput(value, 'request body');
      done(null, value);
    } catch (e) {
      done(e as Error, undefined);
    }
  };
}

export function registerBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  const opts = { parseAs: 'string' as const, bodyLimit };
  app.addContentTypeParser(JSON_TYPES, opts, guarded(parseJsonBody));
  app.addContentTypeParser(
    XML_TYPES,
    opts,
    guarded((text) => (text.trim() === '' ? undefined : parseXml(text))),
  );
  app.addContentTypeParser(FORM_TYPE, opts, guarded(parseForm));
  app.addContentTypeParser('*', opts, (req, _body, done) =>
    done(new HookdError('unsupported_media_type', { type: req.headers['content-type'] ?? '', supported: SUPPORTED }), undefined),
  );
  // Query strings (Fastify's parser already makes prototype-less objects): the same names refused, for one rule everywhere.
  app.addHook('onRequest', async (req) => {
    const query = req.query as Record<string, unknown>;
    for (const key of Object.keys(query)) checkParameter(key, query[key]);
  });
}

export type Format = 'json' | 'xml';

/** The response format the Accept header asks for (JSON when it does not care); 406 when neither will do. */
export function responseFormat(accept: string | undefined): Format {
  if (!accept || accept.trim() === '') return 'json';
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (JSON_TYPES.includes(r.type) || r.type === '*/*' || r.type === 'application/*' || r.type === 'text/*') return 'json';
    if (XML_TYPES.includes(r.type)) return 'xml';
  }
  throw new HookdError('not_acceptable', { accept });
}

/** Sends `value` as JSON or XML. `xmlRoot` names the root element (`Webhook`, `ArrayOfWebhook`, …). */
export function send(req: FastifyRequest, reply: FastifyReply, status: number, value: unknown, xmlRoot: string): FastifyReply {
  const format = responseFormat(req.headers.accept);
  reply.code(status);
  if (format === 'xml') return reply.type('application/xml; charset=utf-8').send(buildXml(xmlRoot, value));
  reply.type('application/json; charset=utf-8');
  // Objects go through the route's response schema (Fastify's serializer); a string or null is JSON itself.
  return typeof value === 'object' && value !== null ? reply.send(value) : reply.send(JSON.stringify(value));
}
