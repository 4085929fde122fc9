import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { signNetServer, verifySignature } from './netserver.js';

describe('NetServer signature', () => {
  const body = '{"EventId":"x","Event":"contact.created"}';
  it('is padded base64 of HMAC-SHA256 keyed with the UTF-8 secret', () => {
    const expected = createHmac('sha256', Buffer.from('hémligt', 'utf8')).update(Buffer.from(body, 'utf8')).digest('base64');
    assert.equal(signNetServer('hémligt', body), expected);
    assert.match(signNetServer('s', body), /^[A-Za-z0-9+/]{43}=$/);
  });
  it('verifies only the exact bytes and secret', () => {
    const sig = signNetServer('s', body);
    assert.equal(verifySignature(body, sig, 's'), true);
    assert.equal(verifySignature(Buffer.from(body), sig, 's'), true);
    assert.equal(verifySignature(`${body} `, sig, 's'), false);
    assert.equal(verifySignature(body, sig, 't'), false);
    assert.equal(verifySignature(body, undefined, 's'), false);
    assert.equal(verifySignature(body, 'short', 's'), false);
  });
});
