import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRANSLATIONS } from './error-translations.js';
import { EXTRA_LANGUAGES } from './languages.js';
import { ERROR_CODES, errorText, HookdError } from './errors.js';
import { chooseLanguage, formatDate, preferredLanguage, resolveCulture } from './languages.js';

const SAMPLE = {
  action: 'x',
  id: 7,
  entity: 'Webhook',
  method: 'GET',
  url: 'http://e.com',
  tenant: 't',
  userName: 'u',
  format: 'JSON',
  detail: 'd',
  where: 'query string',
  key: 'k',
  path: 'p',
  max: 32,
  limit: 1048576,
  type: 't',
  supported: 's',
  accept: 'a',
  property: 'TargetUrl',
  rule: 'is required',
  name: 'n',
  hours: 24,
  since: 'then',
  answer: 'a',
  reason: 'r',
  webhookId: 3,
  seconds: 5,
  open: 5,
};
/** Codes whose sentence is the same in every language: NetServer's own English text, or nothing but parameters. */
const SAME_EVERYWHERE = new Set(['target_not_secure', 'invalid_field']);

describe('the error catalogue in every language SuperOffice ships', () => {
  it('has a sentence for every code in Swedish, Danish, German, Dutch, French and Finnish (fails naming what is missing)', () => {
    const missing = ERROR_CODES.flatMap((code) =>
      EXTRA_LANGUAGES.filter((language) => typeof TRANSLATIONS[code]?.[language] !== 'function').map((l) => `${code}/${l}`),
    );
    assert.deepEqual(missing, [], `translate these in src/domain/error-translations.ts: ${missing.join(', ')}`);
  });

  it('translates: each sentence is text, not the English one (except NetServer texts), with every parameter in it', () => {
    for (const code of ERROR_CODES) {
      const error = new HookdError(code, SAMPLE);
      const english = error.message_in('en');
      for (const language of ['nb', ...EXTRA_LANGUAGES] as const) {
        const text = error.message_in(language);
        assert.ok(text.length > 5 && !text.includes('undefined'), `${code}/${language}: ${text}`);
        if (!SAME_EVERYWHERE.has(code)) assert.notEqual(text, english, `${code}/${language} is still English`);
      }
    }
  });

  it('has no translation for a code the catalogue does not have', () => {
    assert.deepEqual(
      Object.keys(TRANSLATIONS).filter((c) => !(ERROR_CODES as string[]).includes(c)),
      [],
    );
  });
});

describe('Accept-Language and SO-Language', () => {
  const table: Array<[string | undefined, ReturnType<typeof preferredLanguage>]> = [
    ['sv', 'sv'],
    ['sv-FI', 'sv'],
    ['NB-no', 'nb'],
    ['nn', 'nb'],
    ['no', 'nb'],
    ['da, en;q=0.8', 'da'],
    ['fr;q=0.5, de;q=0.9', 'de'],
    ['es, it, nl;q=0.1', 'nl'],
    ['de;q=0.5, fi;q=0.5', 'de'],
    ['fi;q=0, en;q=0.1', 'en'],
    ['fr;q=2, nl', 'nl'],
    ['fr;q=abc', null],
    ['fr ; q = 0.7 , de;q=0.6', 'fr'],
    ['*', 'en'],
    ['es', null],
    ['', null],
    [undefined, null],
    ['__proto__, constructor', null],
    [`${'x,'.repeat(100_000)}de`, null],
  ];
  for (const [header, expected] of table) {
    it(`${JSON.stringify(header?.slice(0, 40))} → ${expected}`, () => assert.equal(preferredLanguage(header), expected));
  }
  it('SO-Language overrides Accept-Language; neither understood is English', () => {
    assert.equal(chooseLanguage('fi', 'de'), 'fi');
    assert.equal(chooseLanguage('es', 'de'), 'de');
    assert.equal(chooseLanguage('es', 'it'), 'en');
  });
});

describe('SO-Culture', () => {
  it('is a locale Intl knows, or null (never an error)', () => {
    assert.equal(resolveCulture('nb'), 'nb');
    assert.equal(resolveCulture(' sv-se '), 'sv-SE');
    for (const bad of ['xx-bogus', 'not a culture', '', '1234', 'de-DE-u-nu-thai-x-'.repeat(5), undefined]) {
      assert.equal(resolveCulture(bad), null, String(bad));
    }
  });
  it('writes quantities and dates into the text; ids stay plain; without it, the plain form', () => {
    const big = new HookdError('body_too_large', { limit: 1048576 });
    assert.equal(big.message_in('de', 'de'), 'Der Anfragetext überschreitet die Grenze von 1.048.576 Byte.');
    assert.equal(big.message_in('en', 'en-US'), 'The request body is larger than the limit of 1,048,576 bytes.');
    assert.equal(big.message_in('en'), 'The request body is larger than the limit of 1048576 bytes.');
    assert.equal(
      new HookdError('not_found', { entity: 'Webhook', id: 12345 }).message_in('fr', 'fr'),
      "Webhook d'identifiant 12345 introuvable",
    );
    const since = new Date(Date.UTC(2026, 0, 5, 9, 0, 0));
    assert.equal(formatDate(since, null), 'Mon, 05 Jan 2026 09:00:00 GMT');
    assert.match(formatDate(since, 'de'), /5\. Januar 2026/);
    assert.match(new HookdError('precondition_failed', { entity: 'Webhook', id: 1, since }).message_in('nb', 'nb'), /5\. januar 2026/);
  });
});

describe('errorText', () => {
  it('gives the message of anything an attempt can be rejected with, never throws', () => {
    assert.equal(errorText(new TypeError('bad')), 'bad');
    assert.equal(errorText({ message: 'plain object' }), 'plain object');
    assert.equal(errorText('a string'), 'a string');
    assert.equal(errorText(undefined), 'undefined');
    assert.equal(errorText(null), 'null');
  });
});
