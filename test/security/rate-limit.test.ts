/** Per-caller rate limit: beyond HOOKD_RATE_LIMIT_PER_MINUTE a caller gets 429 with Retry-After; others go on. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestServer, call, startHookd } from '../helpers/harness.js';

let server: TestServer;
before(async () => {
  server = await startHookd({ rateLimitPerMinute: 5 });
});
after(async () => server.close());

describe('per-caller rate limit', () => {
  it('answers 429 rate_limited with Retry-After after the limit, counting each caller (and application) apart', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await call(server.url, 'GET', '/api/v1/Webhook')).status, 200, `request ${i + 1}`);
    const limited = await call(server.url, 'GET', '/api/v1/Webhook');
    assert.equal(limited.status, 429);
    assert.equal(limited.json.ErrorCode, 'rate_limited');
    assert.match(limited.json.ErrorMessage, /Too many requests: try again in \d+ seconds\./);
    const wait = Number(limited.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
    assert.equal((await call(server.url, 'GET', '/api/v1/Webhook/1')).status, 429, 'every route of the API counts');

    const app = await call(server.url, 'GET', '/api/v1/Webhook', { headers: { 'SO-AppToken': 'another-app' } });
    assert.equal(app.status, 200, 'another application of the same user has its own count');
  });
});
