import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkQuery, displayValue, parseFilter, parseOrderBy, pinnedKey, runQuery, WEBHOOK_PROVIDER } from './archive.js';
import { isWebhookAgentRoute, refusesApp } from './app-access.js';
import { HookdError } from './errors.js';

describe('archive $filter (the subset hookd reads)', () => {
  const table: Array<[string, Array<[string, string, string[]]>]> = [
    ["name eq 'Alpha'", [['name', 'eq', ['Alpha']]]],
    ["name eq 'O''Brien'", [['name', 'eq', ["O'Brien"]]]],
    ["name eq 'O\\'Brien'", [['name', 'eq', ["O'Brien"]]]],
    [
      'eventCount ge 2 and webhookId lt 10',
      [
        ['eventCount', 'ge', ['2']],
        ['webhookId', 'lt', ['10']],
      ],
    ],
    ["startswith(name,'Al')", [['name', 'begins', ['Al']]]],
    ["substringof('ph',name)", [['name', 'contains', ['ph']]]],
    ["webhookUsage/status eq 'Disabled'", [['webhookUsage/status', 'eq', ['Disabled']]]],
    ['webhookId oneOf (1,2,3)', [['webhookId', 'oneOf', ['1', '2', '3']]]],
    ['webhook_usage.webhook_usage_id eq 5', [['webhook_usage.webhook_usage_id', 'eq', ['5']]]],
    ['', []],
  ];
  for (const [filter, expected] of table) {
    it(JSON.stringify(filter), () =>
      assert.deepEqual(
        parseFilter(filter).map((r) => [r.name, r.operator, r.values]),
        expected,
      ),
    );
  }
  for (const bad of ["name eq 'a' or name eq 'b'", "(name eq 'a')", 'name eq', "name eq 'unterminated", 'x'.repeat(4001)]) {
    it(`refuses ${JSON.stringify(bad.slice(0, 40))}`, () => assert.throws(() => parseFilter(bad), HookdError));
  }
  it('$orderby', () =>
    assert.deepEqual(parseOrderBy('name desc, eventCount'), [
      { name: 'name', descending: true },
      { name: 'eventCount', descending: false },
    ]));
});

describe('archive rows', () => {
  const rows = [
    { webhookId: 1, name: 'Alpha', eventCount: 1, registeredDate: Date.UTC(2026, 0, 5), 'webhookUsage/lastEvent': null },
    { webhookId: 2, name: 'bravo', eventCount: 3, registeredDate: Date.UTC(2026, 0, 6), 'webhookUsage/lastEvent': 5 },
    { webhookId: 3, name: 'Charlie', eventCount: 2, registeredDate: Date.UTC(2026, 0, 7), 'webhookUsage/lastEvent': null },
  ];
  const run = (restrictions: Array<[string, string, string[]]>, sort: Array<[string, boolean]> = [], skip = 0, take = 10) =>
    runQuery(
      WEBHOOK_PROVIDER,
      rows,
      checkQuery(WEBHOOK_PROVIDER, {
        columns: [],
        restrictions: restrictions.map(([name, operator, values]) => ({ name, operator, values })),
        sort: sort.map(([name, descending]) => ({ name, descending })),
        skip,
        take,
      }),
    ).rows.map((r) => r.webhookId);
  type Case = [
    what: string,
    restrictions: Array<[string, string, string[]]>,
    sort: Array<[string, boolean]>,
    page: [number, number],
    ids: number[],
  ];
  const table: Case[] = [
    ['strings compare without case', [['name', 'eq', ['BRAVO']]], [], [0, 10], [2]],
    ['begins', [['name', 'begins', ['c']]], [], [0, 10], [3]],
    ['an encoded int', [['eventCount', 'greater', ['[I:1]']]], [], [0, 10], [2, 3]],
    ['between', [['eventCount', 'between', ['2', '3']]], [], [0, 10], [2, 3]],
    ['oneOf', [['webhookId', 'oneOf', ['1', '3']]], [], [0, 10], [1, 3]],
    ['an encoded date', [['registeredDate', 'after', ['[DT:01/05/2026 12:00:00.0000000]']]], [], [0, 10], [2, 3]],
    ['set', [['webhookUsage/lastEvent', 'set', []]], [], [0, 10], [2]],
    ['a sort order', [], [['eventCount', true]], [0, 10], [2, 3, 1]],
    ['a page', [], [['name', false]], [1, 1], [2]],
  ];
  for (const [what, restrictions, sort, [skip, take], ids] of table) {
    it(`${what}: ${JSON.stringify(ids)}`, () => assert.deepEqual(run(restrictions, sort, skip, take), ids));
  }

  it('DisplayValue as NetServer encodes it', () => {
    assert.equal(displayValue('int', 5), '[I:5]');
    assert.equal(displayValue('date', Date.UTC(2026, 0, 5, 9, 0, 2, 30)), '[DT:01/05/2026 09:00:02.0300000]');
    assert.equal(displayValue('date', null), '');
    assert.equal(displayValue('string', 'x'), 'x');
  });
  it('names unknown columns, operators and values of the wrong kind', () => {
    const q = {
      columns: ['secret'],
      restrictions: [{ name: 'eventCount', operator: 'sounds', values: ['x'] }],
      sort: [],
      skip: 0,
      take: 1,
    };
    assert.throws(
      () => checkQuery(WEBHOOK_PROVIDER, q),
      (e: unknown) => e instanceof HookdError && e.fieldErrors.map((f) => f.property).join() === 'Columns,Restriction',
    );
  });
  it('pins one id only with key eq n within int32', () => {
    const q = (values: string[], operator = 'eq') =>
      checkQuery(WEBHOOK_PROVIDER, { columns: [], restrictions: [{ name: 'webhookId', operator, values }], sort: [], skip: 0, take: 1 });
    assert.equal(pinnedKey(WEBHOOK_PROVIDER, q(['7'])), 7);
    assert.equal(pinnedKey(WEBHOOK_PROVIDER, q(['[I:7]'])), 7);
    assert.equal(pinnedKey(WEBHOOK_PROVIDER, q(['99999999999'])), null);
    assert.equal(pinnedKey(WEBHOOK_PROVIDER, q(['7'], 'gt')), null);
  });
});

describe('Online Restricted (pure)', () => {
  const routes: Array<[string, boolean]> = [
    ['/Webhook', true],
    ['/Webhook/:id', true],
    ['/Webhook/:eventName/:primaryKey', true],
    ['/Agents/Webhook/:method', true],
    ['/archive/:provider', true],
    ['/Agents/Archive/:method', true],
    ['/AppAccess', false],
    ['/timezone', false],
    ['/Auth/Tokens', false],
    ['/WebhookX', false],
    ['', false],
  ];
  for (const [route, agent] of routes)
    it(`${route || '(no route)'} is ${agent ? '' : 'not '}the agent`, () => assert.equal(isWebhookAgentRoute(route), agent));
  it('refuses only an ungranted application on the agent in restricted mode', () => {
    assert.equal(refusesApp('restricted', '/Webhook', 'app', false), true);
    assert.equal(refusesApp('restricted', '/Webhook', 'app', true), false);
    assert.equal(refusesApp('restricted', '/Webhook', null, false), false);
    assert.equal(refusesApp('restricted', '/timezone', 'app', false), false);
    assert.equal(refusesApp('open', '/Webhook', 'app', false), false);
  });
});
