/**
 * Errors a client can see, from the catalogue (error-catalogue.ts, error-translations.ts): a HookdError carries
 * a code and its parameters, and writes its sentence in the caller's language and culture.
 */
import { type ErrorCode, entries, type Params } from './error-catalogue.js';
import { TRANSLATIONS } from './error-translations.js';
import { formatDate, formatNumber, type Language } from './languages.js';

/** What a HookdError carries: a Date or a quantity is written in the caller's culture (SO-Culture). */
type ErrorParams = Record<string, string | number | Date>;
/** Parameters that are amounts (written with the culture's grouping); other numbers are ids, written plainly. */
const QUANTITIES = new Set(['limit', 'seconds', 'hours', 'max', 'open']);

/** The parameters as the sentences read them: dates and quantities as text in `culture` (null: hookd's plain form). */
function asText(params: ErrorParams, culture: string | null): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    if (v instanceof Date) out[k] = formatDate(v, culture);
    else if (typeof v === 'number' && culture !== null && QUANTITIES.has(k)) out[k] = formatNumber(v, culture);
    else out[k] = v;
  }
  return out;
}

export type { ErrorCode };
export type { Language } from './languages.js';

/** One rule a field broke, named so that a person can fix it. */
export interface FieldError {
  property: string;
  rule: string;
}

/** An error a client should see; thrown from services, turned into the envelope by the API. */
export class HookdError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(entries[code].en(asText(params, null)));
    this.name = 'HookdError';
  }

  get status(): number {
    return entries[this.code].status;
  }

  get errorType(): string {
    return entries[this.code].errorType;
  }

  /**
   * The public sentence in the caller's language (English where a translation is missing), its dates and
   * quantities written in `culture` (SO-Culture; null: hookd's plain form).
   */
  message_in(language: Language, culture: string | null = null): string {
    const params = asText(this.params, culture);
    const entry = entries[this.code];
    if (language === 'en' || language === 'nb') return entry[language](params);
    return (TRANSLATIONS[this.code]?.[language] ?? entry.en)(params);
  }
}

/** A 400 listing every rule the input broke. */
export function invalidFields(errors: FieldError[]): HookdError {
  const first = errors[0] ?? { property: 'body', rule: 'is invalid' };
  const rule = `${errors.map((e) => `${e.property}: ${e.rule}`).join('; ')}.`;
  return new HookdError('invalid_field', { property: first.property, rule: rule.slice(first.property.length + 2) }, errors);
}

/** Every code with its English sentence: what a translation must cover (error-translations.test.ts). */
export const ERROR_CODES = Object.keys(entries) as ErrorCode[];

export function errorCatalogue(): Array<{ code: string; status: number; errorType: string }> {
  return Object.entries(entries).map(([code, e]) => ({ code, status: e.status, errorType: e.errorType }));
}

/** The message of anything thrown or rejected with: an Error's message, else the value as text (`throw undefined`). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String((e as { message?: unknown } | null | undefined)?.message ?? e);
}
