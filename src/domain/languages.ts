/**
 * The caller's language and culture (decisions.md "Accept-Language / SO-Language"): error messages in the
 * languages SuperOffice ships, the best-supported range by q-value; SO-Culture writes numbers and dates into
 * the text. Nothing here is ever an error: what is not understood falls back (English; hookd's plain format).
 */
/** The languages SuperOffice ships beside English and Norwegian, with their translations in error-translations.ts. */
export const EXTRA_LANGUAGES = ['sv', 'da', 'de', 'nl', 'fr', 'fi'] as const;
export type ExtraLanguage = (typeof EXTRA_LANGUAGES)[number];

export type Language = 'en' | 'nb' | ExtraLanguage;

/** Primary subtags → the catalogue's language. Norwegian has three (nb Bokmål, nn Nynorsk, no the macrolanguage). */
const BY_SUBTAG: Record<string, Language> = {
  en: 'en',
  nb: 'nb',
  nn: 'nb',
  no: 'nb',
  sv: 'sv',
  da: 'da',
  de: 'de',
  nl: 'nl',
  fr: 'fr',
  fi: 'fi',
};

/** A header longer than this, or with more ranges, is read only that far: enough for any browser's list. */
const MAX_HEADER = 1024;
const MAX_RANGES = 32;
const Q = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/**
 * The supported language a header (Accept-Language's syntax, RFC 9110 §12.5.4) prefers, or null when it names
 * none. Ranges are tried by q-value, highest first, in header order among equals; `q=0` means "not this one";
 * a range with a malformed q is skipped; `*` is English. Only the primary subtag counts (`sv-FI` is Swedish).
 */
export function preferredLanguage(header: string | undefined): Language | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const ranges: Array<{ language: Language; q: number; at: number }> = [];
  const parts = header.slice(0, MAX_HEADER).split(',').slice(0, MAX_RANGES);
  parts.forEach((part, at) => {
    const [tag = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    let q = 1;
    for (const param of params) {
      if (!param.startsWith('q')) continue;
      const m = Q.exec(param.replace(/\s+/g, ''));
      q = m ? Number(m[1]) : -1;
    }
    const primary = tag.split('-')[0] ?? '';
    const language = tag === '*' ? 'en' : Object.hasOwn(BY_SUBTAG, primary) ? BY_SUBTAG[primary] : undefined;
    if (language && q > 0) ranges.push({ language, q, at });
  });
  ranges.sort((a, b) => b.q - a.q || a.at - b.at);
  return ranges[0]?.language ?? null;
}

/** SO-Language overrides Accept-Language (seeds: "Overrides Accept-Language value"); neither understood: English. */
export function chooseLanguage(soLanguage: string | undefined, acceptLanguage: string | undefined): Language {
  return preferredLanguage(soLanguage) ?? preferredLanguage(acceptLanguage) ?? 'en';
}

const CULTURE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/**
 * SO-Culture as a locale Intl can format with (`nb`, `sv-SE`, `en-US`), or null — unknown, malformed or
 * unsupported by this Node's ICU — and then hookd's plain format is used: an unknown culture is never an error.
 */
export function resolveCulture(header: string | undefined): string | null {
  if (typeof header !== 'string') return null;
  const tag = header.trim();
  if (!CULTURE.test(tag)) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical !== undefined && Intl.NumberFormat.supportedLocalesOf([canonical]).length > 0 ? canonical : null;
  } catch {
    return null;
  }
}

/** A number written for people in `culture` (grouping and decimal signs), e.g. 1048576 → `1 048 576` in nb. */
export function formatNumber(n: number, culture: string): string {
  return new Intl.NumberFormat(culture).format(n);
}

/** An instant written for people in `culture`, in UTC (the zone is named, so it is never mistaken for local). */
export function formatDate(d: Date, culture: string | null): string {
  if (culture === null || Number.isNaN(d.getTime())) return d.toUTCString();
  return new Intl.DateTimeFormat(culture, { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' }).format(d);
}
