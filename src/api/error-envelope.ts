/**
 * Every error leaves as NetServer's envelope (superoffice-webhooks.md §2.2) plus hookd's stable ErrorCode:
 * `{"Error": true, "ErrorType", "ErrorMessage", "ErrorSource", "ErrorCode"}` (and `Errors` listing each
 * broken rule). Internal detail is logged, never returned.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, HookdError, invalidFields, type Language } from '../domain/errors.js';
import { chooseLanguage, resolveCulture } from '../domain/languages.js';
import { send } from './content.js';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** The caller's language: SO-Language overrides Accept-Language, each read by q-value (domain/languages.ts). */
export function languageOf(req: FastifyRequest): Language {
  return chooseLanguage(header(req, 'so-language'), header(req, 'accept-language'));
}

/** SO-Culture, when Intl knows it; null (hookd's plain format) otherwise, never an error. */
export function cultureOf(req: FastifyRequest): string | null {
  return resolveCulture(header(req, 'so-culture'));
}

export function envelope(error: HookdError, language: Language, culture: string | null = null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    Error: true,
    ErrorType: error.errorType,
    ErrorMessage: error.message_in(language, culture),
    ErrorSource: 'hookd',
    ErrorCode: error.code,
  };
  if (error.fieldErrors.length > 0) body.Errors = error.fieldErrors.map((e) => ({ Property: e.property, Rule: e.rule }));
  return body;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body_missing',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'body_malformed',
};

function isStoreOutage(e: { code?: unknown; message?: string }): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  return (
    ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_LOCKED'].some((c) => code.startsWith(c)) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001', '53300'].includes(code) ||
    // node-postgres reports a lost or unobtainable connection without a code.
    /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(e.message ?? '')
  );
}

/** Turns anything thrown into a HookdError. */
export function toHookdError(err: unknown, bodyLimit: number): HookdError {
  if (err instanceof HookdError) return err;
  const e = err as FastifyError & {
    validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>;
    validationContext?: string;
  };
  if (e.validation) {
    const first = e.validation[0];
    const missing = first?.params?.missingProperty as string | undefined;
    const path = (first?.instancePath ?? '')
      .replace(/^\//, '')
      .replace(/\/(\d+)/g, '[$1]')
      .replace(/\//g, '.');
    const property = missing ? (path ? `${path}.${missing}` : missing) : path || e.validationContext || 'body';
    const rule = missing ? 'is required' : (first?.message ?? 'is invalid');
    if (e.validationContext === 'body') return invalidFields([{ property, rule }]);
    return new HookdError('invalid_parameter', { name: property, rule });
  }
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped === 'body_too_large') return new HookdError(mapped, { limit: bodyLimit });
  if (mapped === 'unsupported_media_type')
    return new HookdError(mapped, { type: '(none)', supported: 'application/json or application/xml' });
  if (mapped === 'body_malformed') return new HookdError(mapped, { format: 'HTTP', detail: e.message });
  if (mapped) return new HookdError(mapped);
  if (isStoreOutage(e)) return new HookdError('store_unavailable');
  return new HookdError('internal');
}

export function registerErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err, req, reply) => {
    const missingBody =
      (err as { validationContext?: string }).validationContext === 'body' && (req.body === undefined || req.body === null);
    const error = missingBody ? new HookdError('body_missing') : toHookdError(err, bodyLimit);
    if (error.status >= 500) req.log.error({ err }, 'request failed');
    return sendError(req, reply, error);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, new HookdError('route_not_found', { method: req.method, url: req.url.split('?')[0] ?? '' })),
  );
}

export function sendError(req: FastifyRequest, reply: FastifyReply, error: HookdError): FastifyReply {
  const body = envelope(error, languageOf(req), cultureOf(req));
  if (error.code === 'rate_limited') reply.header('Retry-After', String(error.params.seconds));
  if (error.code === 'not_acceptable') {
    return reply.code(error.status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  }
  try {
    return send(req, reply, error.status, body, 'Error');
  } catch {
    return reply.code(error.status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  }
}
