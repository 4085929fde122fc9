/**
 * Languages and cultures over real HTTP (issue 23, decisions.md "Accept-Language / SO-Language"): the error
 * envelope's ErrorMessage in the language the headers prefer by q-value, SO-Language over Accept-Language,
 * SO-Culture writing numbers and dates; anything not understood falls back, never an error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({ savePing: false });
});
after(async () => {
  await server.close();
  await receiver.close();
});

const missing = (headers: Record<string, string>) => call(server.url, 'GET', '/api/v1/Webhook/424242', { headers });

describe('the language of an error', () => {
  const table: Array<[Record<string, string>, string]> = [
    [{}, 'Webhook id 424242 not found'],
    [{ 'Accept-Language': 'sv' }, 'Webhook med id 424242 hittades inte'],
    [{ 'Accept-Language': 'da-DK' }, 'Webhook med id 424242 blev ikke fundet'],
    [{ 'Accept-Language': 'fr;q=0.5, de;q=0.9' }, 'Webhook mit der ID 424242 wurde nicht gefunden'],
    [{ 'Accept-Language': 'es, it;q=0.9, nl;q=0.1' }, 'Webhook met id 424242 niet gevonden'],
    [{ 'Accept-Language': 'fi;q=0, fr;q=0.2' }, "Webhook d'identifiant 424242 introuvable"],
    [{ 'Accept-Language': 'de', 'SO-Language': 'fi' }, 'Webhook, jonka tunnus on 424242, ei löytynyt'],
    [{ 'Accept-Language': 'nb', 'SO-Language': 'es' }, 'Webhook med id 424242 finnes ikke'],
    [{ 'Accept-Language': 'es', 'SO-Language': 'xx;q=abc' }, 'Webhook id 424242 not found'],
  ];
  for (const [headers, message] of table) {
    it(`${JSON.stringify(headers)} → ${message}`, async () => {
      const res = await missing(headers);
      assert.equal(res.status, 404);
      assert.deepEqual([res.json.ErrorType, res.json.ErrorCode, res.json.ErrorMessage], ['SoNotFoundException', 'not_found', message]);
    });
  }

  it('a hostile Accept-Language (1,500 ranges, prototype names) is read only so far and answered in English', async () => {
    const res = await missing({ 'Accept-Language': `__proto__;q=1, constructor, ${'x;q=0.5,'.repeat(1_500)}de` });
    assert.equal(res.status, 404);
    assert.equal(res.json.ErrorMessage, 'Webhook id 424242 not found');
  });
});

describe('SO-Culture', () => {
  const tooLarge = (headers: Record<string, string>) =>
    call(server.url, 'POST', '/api/v1/Webhook', { headers, body: webhookBody(receiver.url, { Name: 'x'.repeat(1_100_000) }) });

  it('writes the body limit with the culture’s grouping, in the language asked for', async () => {
    const de = await tooLarge({ 'SO-Language': 'de', 'SO-Culture': 'de' });
    assert.equal(de.status, 413);
    assert.equal(de.json.ErrorMessage, 'Der Anfragetext überschreitet die Grenze von 1.048.576 Byte.');
    const us = await tooLarge({ 'SO-Culture': 'en-US' });
    assert.equal(us.json.ErrorMessage, 'The request body is larger than the limit of 1,048,576 bytes.');
  });

  it('falls back to the plain form for an unknown or malformed culture, never an error', async () => {
    for (const culture of ['xx-bogus', 'not a culture', '12', 'de-DE-x-'.repeat(40)]) {
      const res = await tooLarge({ 'SO-Culture': culture });
      assert.equal(res.status, 413, culture);
      assert.equal(res.json.ErrorMessage, 'The request body is larger than the limit of 1048576 bytes.');
      assert.equal((await call(server.url, 'GET', '/api/v1/Webhook', { headers: { 'SO-Culture': culture } })).status, 200);
    }
  });

  it('writes the date of a 412 in the culture', async () => {
    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/hook`) });
    assert.equal(created.status, 200, created.text);
    const put = (headers: Record<string, string>) =>
      call(server.url, 'PUT', `/api/v1/Webhook/${created.json.WebhookId}`, {
        headers: { 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT', ...headers },
        body: webhookBody(`${receiver.url}/hook`),
      });
    const plain = await put({});
    assert.equal(plain.status, 412);
    assert.match(plain.json.ErrorMessage, /since Mon, 01 Jan 2001 00:00:00 GMT\.$/);
    const fr = await put({ 'SO-Language': 'fr', 'SO-Culture': 'fr' });
    assert.equal(fr.status, 412);
    assert.match(fr.json.ErrorMessage, /a été modifié depuis 1 janvier 2001 (à )?00:00:00 UTC\.$/);
  });
});
