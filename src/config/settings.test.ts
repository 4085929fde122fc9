import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfig, loadConfig } from './settings.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const { config, errors } = loadConfig({});
    assert.deepEqual(errors, []);
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, './data');
    assert.deepEqual(config.retryDelaysMs, ['1000', '4000']);
    assert.equal(config.maxConsecutiveErrors, 9);
    assert.equal(config.heapGrowingPercent, 100);
  });
  it('takes a heap growing percent from 0 to 300 only, naming the setting', () => {
    for (const [raw, error] of [
      ['-1', /HOOKD_HEAP_GROWING_PERCENT must be at least 0/],
      ['301', /HOOKD_HEAP_GROWING_PERCENT must be at most 300/],
      ['2147483648', /HOOKD_HEAP_GROWING_PERCENT must be at most 300/],
    ] as const) {
      const { errors } = loadConfig({ HOOKD_HEAP_GROWING_PERCENT: raw });
      assert.equal(errors.length, 1, raw);
      assert.match(errors[0] as string, error);
    }
    assert.equal(loadConfig({ HOOKD_HEAP_GROWING_PERCENT: '300' }).config.heapGrowingPercent, 300);
    assert.equal(loadConfig({ HOOKD_HEAP_GROWING_PERCENT: '0' }).config.heapGrowingPercent, 0);
  });
  it('lists every error at once', () => {
    const { errors } = loadConfig({ PORT: 'x', HOOKD_ALLOW_PRIVATE_TARGETS: 'maybe', HOOKD_ROLE: 'boss' });
    assert.equal(errors.length, 3);
    assert.match(errors.join('\n'), /PORT must be a whole number/);
    assert.match(errors.join('\n'), /HOOKD_ROLE must be one of api, worker, both/);
  });
  it('hides secrets when printed', () => {
    const { config } = loadConfig({ HOOKD_ADMIN_PASSWORD: 'pw' });
    assert.equal(describeConfig(config).find((s) => s.env === 'HOOKD_ADMIN_PASSWORD')?.value, '(hidden)');
  });
});
