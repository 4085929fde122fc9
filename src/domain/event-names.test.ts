import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventNameProblem, subscriptionProblem } from './event-names.js';

describe('event names (decisions.md "event names")', () => {
  const signal: Array<[string, string, RegExp | null]> = [
    ['a catalogue name', 'contact.created', null],
    ["the REST reference's SignalEvent sample", 'Goyette, Kautzer and Kuhn', null],
    ['a custom name without a dot', 'invoice', null],
    ['mixed case', 'Invoice.Paid', null],
    ['255 characters', 'e'.repeat(255), null],
    ['256 characters', 'e'.repeat(256), /at most 255/],
    ['empty', '', /empty/],
    ['a line break (header injection)', 'a.b\r\nX-Evil: 1', /printable ASCII/],
    ['a tab', 'a\tb', /printable ASCII/],
    ['NUL', 'a\u0000b', /printable ASCII/],
    ['DEL', 'a\u007fb', /printable ASCII/],
    ['beyond ASCII (the header cannot carry it)', 'ordre.fullført', /printable ASCII/],
    ['an emoji', 'deal.🎉', /printable ASCII/],
    ['a leading space', ' contact.created', /begins or ends with a space/],
    ['a wildcard', 'contact.*', /wildcard/],
    ['the catch-all', '*', /wildcard/],
  ];
  for (const [what, name, expected] of signal) {
    it(`signal: ${what} is ${expected ? 'refused' : 'accepted'}`, () => {
      const problem = eventNameProblem(name);
      if (expected === null) assert.equal(problem, null);
      else assert.match(problem ?? '', expected);
    });
  }

  const subscription: Array<[string, string, RegExp | null]> = [
    ['a catalogue name', 'contact.created', null],
    ['a custom name with spaces', 'Goyette Kautzer and Kuhn', null],
    ['an entity wildcard', 'contact.*', null],
    ['a custom entity wildcard', 'Invoice.*', null],
    ['the catch-all', '*', null],
    ['a comma (the stored list is comma-separated)', 'Goyette, Kautzer and Kuhn', /comma/],
    ['a wildcard inside', 'con*.created', /wildcard/],
    ['a double wildcard', 'a.*.*', /wildcard/],
    ['a bare .*', '.*', /needs an entity/],
    ['a control character', 'a.b\n', /printable ASCII/],
    ['256 characters', 'e'.repeat(256), /at most 255/],
  ];
  for (const [what, name, expected] of subscription) {
    it(`subscription: ${what} is ${expected ? 'refused' : 'accepted'}`, () => {
      const problem = subscriptionProblem(name);
      if (expected === null) assert.equal(problem, null);
      else assert.match(problem ?? '', expected);
    });
  }
});
