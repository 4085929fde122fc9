import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressProblem, isCidr, targetUrlProblem } from './target-url.js';

describe('target addresses', () => {
  it('refuses every non-public range, in IPv4, IPv6 and mapped forms', () => {
    const refused = {
      '127.0.0.1': 'loopback',
      '10.1.2.3': 'private',
      '192.168.0.1': 'private',
      '172.16.5.5': 'private',
      '169.254.169.254': 'linkLocal',
      '100.64.0.1': 'carrierGradeNat',
      '0.0.0.0': 'unspecified',
      '::1': 'loopback',
      'fd00::1': 'uniqueLocal',
      'fe80::1': 'linkLocal',
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:10.0.0.1': 'private',
    };
    for (const [address, range] of Object.entries(refused)) {
      assert.match(addressProblem(address, false) ?? '', new RegExp(`a ${range} address`), address);
    }
    assert.equal(addressProblem('93.184.216.34', false), null);
    assert.equal(addressProblem('2606:4700::1', false), null);
  });

  it('lets HOOKD_ALLOWED_NETWORKS open chosen private networks and nothing else', () => {
    const allowed = ['10.20.0.0/16', 'fd12::/16'];
    assert.equal(addressProblem('10.20.9.9', false, allowed), null);
    assert.equal(addressProblem('::ffff:10.20.9.9', false, allowed), null, 'the mapped form of an allowed address');
    assert.equal(addressProblem('fd12::5', false, allowed), null);
    assert.match(addressProblem('10.21.0.1', false, allowed) ?? '', /private address/);
    assert.match(addressProblem('127.0.0.1', false, allowed) ?? '', /loopback/);
    assert.equal(targetUrlProblem('https://10.20.1.1/hook', false, allowed), null);
    assert.match(targetUrlProblem('https://10.30.1.1/hook', false, allowed) ?? '', /HOOKD_ALLOWED_NETWORKS/);
    assert.match(targetUrlProblem('http://10.20.1.1/hook', false, allowed) ?? '', /must be an https URL/, 'https still required');
    assert.ok(isCidr('10.0.0.0/8') && isCidr('fd00::/8'));
    assert.ok(!isCidr('10.0.0.0') && !isCidr('nonsense/8'));
  });
});
