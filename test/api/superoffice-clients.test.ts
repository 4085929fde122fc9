/**
 * SuperOffice's own TypeScript clients, unchanged, against a running hookd: `@superoffice/webapi` 12.4 (the
 * current one) and `@superoffice/tsclient.webapi` 10.2 (its predecessor), both from the npm registry. Every
 * WebhookAgent method of each, their time-zone options, and the REST routes through each package's own
 * WebApiBase and converters (neither package ships the WebhookRestApi its README shows; the class below is
 * written the way the packages' generated *RestApi classes are). Assertions are on what the clients' own
 * converters read.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startHookd, TestClock, type TestServer } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

const require = createRequire(import.meta.url);
// The packages are CommonJS; require() gives their own module objects, as a Node application would.
const current = require('@superoffice/webapi');
const currentBase = require('@superoffice/webapi/WebApiBase.js');
const currentConverters = require('@superoffice/webapi/Converters.js');
const previous = require('@superoffice/tsclient.webapi');
const previousBase = require('@superoffice/tsclient.webapi/dist/WebApiBase.js');
const previousConverters = require('@superoffice/tsclient.webapi/dist/Converters.js');

const clock = new TestClock();
const NOW = new Date(clock.now());
const auth = { username: ADMIN.user, password: ADMIN.password };
const basicAuth = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
/** ETableRight Select | Update | Insert | Delete. */
const FULL = 15;

/** A Webhook REST client built like the packages' generated ContactRestApi, on the package's own base and converters. */
function restApiClass(base: any, converters: any) {
  return class WebhookRestApi extends base.WebApiBase {
    constructor(options: Record<string, unknown>) {
      super({ ...options, basePath: 'v1/Webhook/' });
    }
    private get config() {
      return base.WebApiBase.GetAxiosRequestConfig(undefined, this._options);
    }
    private async call(request: Promise<{ data: unknown }>): Promise<any> {
      return converters.Create_Webhook_From((await request).data);
    }
    getDefaultAsync() {
      return this.call(this._axios.get('default', this.config));
    }
    getByIdAsync(id: number) {
      return this.call(this._axios.get(String(id), this.config));
    }
    postAsync(webhook: unknown) {
      return this.call(this._axios.post('', webhook, this.config));
    }
    putByIdAsync(id: number, webhook: unknown) {
      return this.call(this._axios.put(String(id), webhook, this.config));
    }
    patchByIdAsync(id: number, ops: unknown) {
      return this.call(this._axios.patch(String(id), ops, this.config));
    }
    async deleteByIdAsync(id: number): Promise<void> {
      await this._axios.delete(String(id), this.config);
    }
  };
}

let server: TestServer;
let receiver: Receiver;

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd({}, { clock });
});
after(async () => {
  await server.close();
  await receiver.close();
});

function options(extra: Record<string, unknown> = {}) {
  return { baseUrl: server.url, axiosConfig: { auth }, ...extra };
}

describe('@superoffice/webapi 12.4 (the current client): every WebhookAgent method', () => {
  it('createDefaultWebhookAsync: the documented defaults, the current carrier and the caller rights', async () => {
    const agent = new current.WebhookAgent(options());
    const hook = await agent.createDefaultWebhookAsync();
    assert.deepEqual(
      [hook.webhookId, hook.name, hook.events, hook.state, hook.type, hook.registered, hook.registeredAssociate],
      [0, null, ['contact.created', 'contact.deleted'], current.WebhookState.Active, 'webhook', new Date('0001-01-01T00:00:00'), null],
    );
    assert.deepEqual([hook.errorEmails, hook.errorAssociates, hook.description], [[], [], '']);
    assert.deepEqual([hook.notifyVia, hook.notifyWhen], [current.WebhookNotifyVia.Email, current.WebhookNotifyWhen.Disabling]);
    assert.deepEqual([hook.totalCalls, hook.totalErrors, hook.consecutiveErrors, hook.lastError], [0, 0, 0, '']);
    // The client's Webhook converter does not read TableRight and FieldProperties; what it would get is on the wire.
    const raw = await fetch(`${server.url}/api/v1/Agents/Webhook/CreateDefaultWebhook`, {
      method: 'POST',
      headers: { Authorization: basicAuth },
    });
    const wire = (await raw.json()) as Record<string, any>;
    assert.deepEqual(currentConverters.Create_TableRight_From(wire.TableRight), {
      mask: FULL,
      reason: '',
    });
    assert.deepEqual(currentConverters.Create_FieldPropertyDictionary_From(wire.FieldProperties).Name, {
      fieldRight: currentConverters.Create_FieldRight_From({ Mask: 'Update', Reason: '' }),
      fieldType: 'System.String',
      fieldLength: 400,
    });
  });

  it('saveWebhookAsync, getWebhookAsync, getAllWebhooksAsync, testWebhookAsync, getLastErrorAsync, signalEventAsync and deleteWebhookAsync', async () => {
    const agent = new current.WebhookAgent(options());
    const saved = await agent.saveWebhookAsync({
      name: 'Current client',
      events: ['contact.created'],
      targetUrl: `${receiver.url}/current`,
      type: 'webhook',
      errorEmails: ['ops@example.com', 'dev@example.com'],
      description: 'Made by @superoffice/webapi',
      notifyVia: current.WebhookNotifyVia.Email,
      notifyWhen: current.WebhookNotifyWhen.FirstFailure | current.WebhookNotifyWhen.Disabling,
    });
    assert.ok(saved.webhookId > 0);
    // NetServer's empty values: what the client's own Webhook.json fixture shows for a saved webhook.
    assert.deepEqual([saved.secret, saved.headers, saved.properties], ['', {}, {}]);
    assert.deepEqual([saved.errorEmails, saved.errorsEmail], [['ops@example.com', 'dev@example.com'], 'ops@example.com,dev@example.com']);
    assert.deepEqual([saved.description, saved.notifyVia, saved.notifyWhen], ['Made by @superoffice/webapi', 1, 3]);
    assert.deepEqual([saved.registered, saved.updated], [NOW, NOW], 'the exact instant, parsed by the client');
    assert.deepEqual(
      [saved.registeredAssociate?.userName, saved.registeredAssociate?.extraFields, saved.registeredAssociate?.customFields],
      [ADMIN.user, {}, {}],
    );
    assert.equal((saved.registeredAssociate as any).tableRight.mask, 1, 'an associate carrier is read-only here');

    const got = await agent.getWebhookAsync(saved.webhookId);
    assert.deepEqual(
      { ...got, registeredAssociate: null, updatedAssociate: null },
      { ...saved, registeredAssociate: null, updatedAssociate: null },
    );
    assert.equal(await agent.getWebhookAsync(999_999), null, "the client's README: a missing webhook is null");

    const all = await agent.getAllWebhooksAsync('Current client', 'contact.created', current.WebhookState.Active);
    assert.deepEqual(
      all.map((w: any) => w.webhookId),
      [saved.webhookId],
    );
    assert.deepEqual(await agent.getAllWebhooksAsync('nobody', '', current.WebhookState.Unknown), []);

    const tested = await agent.testWebhookAsync(saved);
    assert.equal(tested.success, true);
    assert.equal((tested as any).tableRight.mask, 1);

    assert.equal(await agent.getLastErrorAsync(saved.webhookId), '');
    assert.equal(await agent.getLastErrorAsync(999_999), null);

    const before = receiver.count;
    await agent.signalEventAsync('contact.created', 42, { FieldValues: { name: 'Acme' } } as any);
    await server.deliver();
    assert.equal(receiver.count, before + 1);
    assert.equal(receiver.json(receiver.count - 1).PrimaryKey, 42);

    assert.equal(await agent.saveWebhookAsync({ ...saved, webhookId: 999_999 }), null, 'saving a missing webhook is null too');
    await agent.deleteWebhookAsync(saved.webhookId);
    assert.equal(await agent.getWebhookAsync(saved.webhookId), null);
    await agent.deleteWebhookAsync(saved.webhookId); // already gone: no error, as NetServer's agent
  });

  it('time-zone options: SO-TimeZone "UTC,includeTZOffset" and "FR" are accepted, created and updated dates stay UTC, an unknown code is refused', async () => {
    const hook = await new current.WebhookAgent(options()).saveWebhookAsync({
      name: 'Zoned',
      events: ['sale.sold'],
      targetUrl: `${receiver.url}/zoned`,
    });
    for (const tz of [{ timezone: 'UTC', timezoneInclude: true }, { timezone: 'FR' }, { timezone: 'US-NY', timezoneInclude: true }]) {
      const agent = new current.WebhookAgent(options(tz));
      const got = await agent.getWebhookAsync(hook.webhookId);
      assert.deepEqual([got.registered, got.updated], [NOW, NOW], JSON.stringify(tz));
      assert.equal((await agent.createDefaultWebhookAsync()).webhookId, 0);
    }
    const refused = await new current.WebhookAgent(options({ timezone: 'Atlantis' })).getWebhookAsync(hook.webhookId).catch((e: any) => e);
    assert.equal(refused.response.status, 400);
    assert.match(refused.response.data.ErrorMessage, /SO-TimeZone.*'Atlantis'/);
  });

  it('the REST routes through the package base and converters: 404 is an error there, as its README says', async () => {
    const Rest = restApiClass(currentBase, currentConverters);
    const rest = new Rest(options({ timezone: 'UTC', timezoneInclude: true }));
    assert.equal((await rest.getDefaultAsync()).webhookId, 0);
    const posted = await rest.postAsync({ Name: 'Rest', Events: ['person.created'], TargetUrl: `${receiver.url}/rest` });
    assert.deepEqual([posted.name, posted.secret, posted.registered], ['Rest', '', NOW]);
    const put = await rest.putByIdAsync(posted.webhookId, { ...posted, description: 'put', notifyVia: 0 });
    assert.deepEqual([put.description, put.notifyVia], ['put', current.WebhookNotifyVia.None]);
    const patched = await rest.patchByIdAsync(posted.webhookId, [{ op: 'replace', path: '/ErrorsEmail', value: 'rest@example.com' }]);
    assert.deepEqual([patched.errorsEmail, patched.errorEmails], ['rest@example.com', ['rest@example.com']]);
    assert.equal((await rest.getByIdAsync(posted.webhookId)).description, 'put');
    await rest.deleteByIdAsync(posted.webhookId);
    const missing = await rest.getByIdAsync(posted.webhookId).catch((e: any) => e);
    assert.equal(missing.response.status, 404);
  });
});

describe('@superoffice/tsclient.webapi 10.2 (the previous client): every WebhookAgent method', () => {
  it('CreateDefaultWebhook, SaveWebhook, GetWebhook, GetAllWebhooks, TestWebhook, SignalEvent, GetLastError, DeleteWebhook', async () => {
    const agent = new previous.WebhookAgent(options({ timezone: 'UTC', timezoneInclude: true }));
    const blank = await agent.CreateDefaultWebhook();
    assert.deepEqual(
      [blank.WebhookId, blank.State, blank.Type, blank.Events],
      [0, 'Active', 'webhook', ['contact.created', 'contact.deleted']],
    );

    const saved = await agent.SaveWebhook({
      Name: 'Previous client',
      Events: ['appointment.created'],
      TargetUrl: `${receiver.url}/previous`,
      Type: 'webhook',
    });
    assert.deepEqual([saved.Secret, saved.Headers, saved.Properties, saved.Registered], ['', {}, {}, NOW]);
    assert.equal(saved.RegisteredAssociate.UserName, ADMIN.user);

    assert.equal((await agent.GetWebhook(saved.WebhookId)).Name, 'Previous client');
    assert.equal(await agent.GetWebhook(999_999), null);
    assert.deepEqual(
      (await agent.GetAllWebhooks('Previous client', 'appointment.created', 'Active')).map((w: any) => w.WebhookId),
      [saved.WebhookId],
    );
    assert.equal((await agent.TestWebhook(saved)).Success, true);
    const before = receiver.count;
    await agent.SignalEvent('appointment.created', 7, {});
    await server.deliver();
    assert.equal(receiver.count, before + 1);
    assert.equal(await agent.GetLastError(saved.WebhookId), '');
    assert.equal(await agent.GetLastError(999_999), null);
    await agent.DeleteWebhook(saved.WebhookId);
    assert.equal(await agent.GetWebhook(saved.WebhookId), null);
  });

  it('the REST routes through its base and converters', async () => {
    const Rest = restApiClass(previousBase, previousConverters);
    const rest = new Rest(options({ timezone: 'FR' }));
    const posted = await rest.postAsync({ Name: 'Rest 10.2', Events: ['project.created'], TargetUrl: `${receiver.url}/rest10` });
    assert.deepEqual([posted.Name, posted.Registered], ['Rest 10.2', NOW]);
    assert.equal((await rest.putByIdAsync(posted.WebhookId, { ...posted, Name: 'Renamed' })).Name, 'Renamed');
    assert.equal((await rest.patchByIdAsync(posted.WebhookId, [{ op: 'replace', path: '/State', value: 'Stopped' }])).State, 'Stopped');
    await rest.deleteByIdAsync(posted.WebhookId);
    assert.equal((await rest.getByIdAsync(posted.WebhookId).catch((e: any) => e)).response.status, 404);
  });
});

describe("NetServer's own errors and custom events through SuperOffice's clients (issue 23)", () => {
  let strict: TestServer;
  before(async () => {
    // Outside --dev: https targets only, as in production; no ping, so an https target on the internet is not called.
    strict = await startHookd({ allowPrivateTargets: false, savePing: false });
  });
  after(async () => strict.close());

  it("a non-https TargetUrl: the fixture's ArgumentException and message, through both clients' SaveWebhook", async () => {
    const webhook = { name: 'My hook', events: ['contact.created'], type: 'webhook', targetUrl: 'http://www.example.com' };
    const currentError = await new current.WebhookAgent({ baseUrl: strict.url, axiosConfig: { auth } })
      .saveWebhookAsync(webhook)
      .catch((e: any) => e);
    const previousError = await new previous.WebhookAgent({ baseUrl: strict.url, axiosConfig: { auth } })
      .SaveWebhook({ Name: 'My hook', Events: ['contact.created'], Type: 'webhook', TargetUrl: 'http://www.example.com' })
      .catch((e: any) => e);
    for (const error of [currentError, previousError]) {
      assert.equal(error.response.status, 400);
      assert.equal(error.response.data.ErrorType, 'ArgumentException');
      assert.equal(error.response.data.ErrorMessage, "Webhook TargetUrl must be secure: 'HTTPS:' not found in http://www.example.com");
      assert.equal(error.response.data.ErrorCode, 'target_not_secure');
    }
    const saved = await new current.WebhookAgent({ baseUrl: strict.url, axiosConfig: { auth } }).saveWebhookAsync({
      ...webhook,
      targetUrl: 'https://www.example.com',
    });
    assert.ok(saved.webhookId > 0, "the fixture's https twin is saved");
  });

  it("signalEventAsync with the REST reference's sample name answers 204", async () => {
    await new current.WebhookAgent(options()).signalEventAsync('Goyette, Kautzer and Kuhn', 246, { windowName: 'foo' });
    await new previous.WebhookAgent(options()).SignalEvent('Goyette, Kautzer and Kuhn', 246, {});
  });
});

describe('ArchiveAgent of both SuperOffice clients: the Webhook provider (issue 23)', () => {
  let ids: number[];
  before(async () => {
    ids = [];
    for (const [name, events] of [
      ['Archive one', ['contact.created']],
      ['Archive two', ['contact.created', 'sale.sold']],
      ['Archive three', ['sale.sold', 'sale.lost', 'person.changed']],
    ] as const) {
      const res = await fetch(`${server.url}/api/v1/Webhook`, {
        method: 'POST',
        headers: { Authorization: basicAuth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ Name: name, Events: events, TargetUrl: `${receiver.url}/archive` }),
      });
      ids.push(((await res.json()) as { WebhookId: number }).WebhookId);
    }
  });

  it('@superoffice/webapi getArchiveListByColumnsAsync: columns, a restriction, a sort order, paging', async () => {
    const agent = new current.ArchiveAgent(options());
    const restriction = [{ name: 'name', operator: 'begins', values: ['Archive'], isActive: true }];
    const sortOrder = [{ name: 'eventCount', direction: 'DESC' }];
    const first = await agent.getArchiveListByColumnsAsync(
      'Webhook',
      ['webhookId', 'name', 'eventCount', 'webhookUsage/status'],
      sortOrder,
      restriction,
      [],
      0,
      2,
    );
    assert.deepEqual(
      first.map((r: any) => [r.entityName, r.primaryKey, r.columnData.name.displayValue, r.columnData.eventCount.displayValue]),
      [
        ['webhook', ids[2], 'Archive three', '[I:3]'],
        ['webhook', ids[1], 'Archive two', '[I:2]'],
      ],
    );
    assert.equal(first[0].columnData['webhookUsage/status'].displayValue, 'Active');
    const second = await agent.getArchiveListByColumnsAsync('Webhook', ['name'], sortOrder, restriction, [], 1, 2);
    assert.deepEqual(
      second.map((r: any) => r.columnData.name.displayValue),
      ['Archive one'],
    );
  });

  it('@superoffice/tsclient.webapi GetArchiveListByColumns', async () => {
    const agent = new previous.ArchiveAgent(options());
    const rows = await agent.GetArchiveListByColumns(
      'Webhook',
      ['name', 'events'],
      [{ Name: 'name', Direction: 'ASC' }],
      [{ Name: 'events', Operator: 'contains', Values: ['sale.lost'], IsActive: true }],
      [],
      0,
      50,
    );
    assert.deepEqual(
      rows.map((r: any) => [r.PrimaryKey, r.ColumnData.name.DisplayValue, r.ColumnData.events.DisplayValue]),
      [[ids[2], 'Archive three', 'sale.sold,sale.lost,person.changed']],
    );
  });
});
