/**
 * Create or edit a webhook. Events are picked from the catalogue of the spec (the one list `hookd trigger` uses),
 * and any other name is typed (lists, extra tables, webhook{id}.*, wildcards, custom events); error notifications
 * as 12.1 sets them (recipients, Notify via, On first failure / When disabled); the filter can be tried on a sample
 * payload beside its field. The API's validation rules are shown at the field they name; "Send test" pings the
 * target with the form as it stands.
 */
import { useEffect, useState } from 'preact/hooks';
import { CATALOGUE_EVENTS, EVENT_CATALOGUE, sampleData } from '../../src/domain/event-catalogue.js';
import { ApiError, api, type FieldError, type Webhook } from './api.js';
import { ErrorLine } from './widgets.js';

interface Form {
  Name: string;
  TargetUrl: string;
  picked: string[];
  moreEvents: string;
  Secret: string;
  State: string;
  headers: string;
  properties: string;
  MaxPerSecond: string;
  Ordering: string;
  filter: string;
  Type: string;
  Description: string;
  errorEmails: string;
  errorAssociates: string;
  viaEmail: boolean;
  viaInApp: boolean;
  onFirstFailure: boolean;
  whenDisabled: boolean;
  /** Receiver authentication (issue 25): secrets are write-only, empty keeps what is stored. */
  clientCert: string;
  clientKey: string;
  caCerts: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  audience: string;
  oauthMethod: string;
  basicUser: string;
  basicPassword: string;
  removeAuth: boolean;
}

const NO_AUTH = {
  clientCert: '',
  clientKey: '',
  caCerts: '',
  tokenUrl: '',
  clientId: '',
  clientSecret: '',
  scope: '',
  audience: '',
  oauthMethod: 'client_secret_basic',
  basicUser: '',
  basicPassword: '',
  removeAuth: false,
};

/** ReceiverAuth from the form: only the parts filled in (the API keeps the others, and secrets left empty). */
function receiverAuthOf(f: Form): Record<string, unknown> | null | undefined {
  if (f.removeAuth) return null;
  const auth: Record<string, unknown> = {};
  if (f.clientCert.trim() || f.clientKey.trim()) auth.ClientCertificate = { Certificate: f.clientCert, Key: f.clientKey };
  if (f.caCerts.trim()) auth.CaCertificates = f.caCerts;
  if (f.tokenUrl.trim())
    auth.OAuth2 = {
      TokenUrl: f.tokenUrl.trim(),
      ClientId: f.clientId,
      ...(f.clientSecret ? { ClientSecret: f.clientSecret } : {}),
      Scope: f.scope,
      Audience: f.audience,
      Method: f.oauthMethod,
    };
  if (f.basicUser.trim()) auth.Basic = { UserName: f.basicUser.trim(), ...(f.basicPassword ? { Password: f.basicPassword } : {}) };
  return Object.keys(auth).length > 0 ? auth : undefined;
}

/** NetServer's flag names ("Email, InApp"; "None" when none is set). */
function flags(names: Array<[boolean, string]>): string {
  const set = names.filter(([on]) => on).map(([, name]) => name);
  return set.length === 0 ? 'None' : set.join(', ');
}
const hasFlag = (value: string | null | undefined, name: string) => (value ?? '').split(/,\s*/).includes(name);

const EMPTY: Form = {
  Name: '',
  TargetUrl: '',
  picked: ['contact.created'],
  moreEvents: '',
  Secret: '',
  State: 'Active',
  headers: '',
  properties: '',
  MaxPerSecond: '',
  Ordering: 'None',
  filter: '',
  Type: 'webhook',
  Description: '',
  errorEmails: '',
  errorAssociates: '',
  // NetServer's defaults (CreateDefaultWebhook): by e-mail, when the webhook is disabled.
  viaEmail: true,
  viaInApp: false,
  onFirstFailure: false,
  whenDisabled: true,
  ...NO_AUTH,
};

function fromWebhook(w: Webhook): Form {
  return {
    Name: w.Name,
    TargetUrl: w.TargetUrl,
    picked: w.Events.filter((e) => CATALOGUE_EVENTS.includes(e)),
    moreEvents: w.Events.filter((e) => !CATALOGUE_EVENTS.includes(e)).join(', '),
    Secret: w.Secret,
    State: w.State,
    headers: Object.entries(w.Headers ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    properties: Object.keys(w.Properties ?? {}).length > 0 ? JSON.stringify(w.Properties, null, 2) : '',
    MaxPerSecond: w.MaxPerSecond === undefined ? '' : String(w.MaxPerSecond),
    Ordering: w.Ordering ?? 'None',
    filter: w.Filter ? JSON.stringify(w.Filter, null, 2) : '',
    Type: w.Type || 'webhook',
    Description: w.Description ?? '',
    errorEmails: (w.ErrorEmails ?? []).join('\n'),
    errorAssociates: (w.ErrorAssociates ?? []).map((a) => a.Id).join(', '),
    viaEmail: hasFlag(w.NotifyVia, 'Email'),
    viaInApp: hasFlag(w.NotifyVia, 'InApp'),
    onFirstFailure: hasFlag(w.NotifyWhen, 'FirstFailure'),
    whenDisabled: hasFlag(w.NotifyWhen, 'Disabling'),
    ...NO_AUTH,
    tokenUrl: w.ReceiverAuth?.OAuth2?.TokenUrl ?? '',
    clientId: w.ReceiverAuth?.OAuth2?.ClientId ?? '',
    scope: w.ReceiverAuth?.OAuth2?.Scope ?? '',
    audience: w.ReceiverAuth?.OAuth2?.Audience ?? '',
    oauthMethod: w.ReceiverAuth?.OAuth2?.Method ?? 'client_secret_basic',
    basicUser: w.ReceiverAuth?.Basic?.UserName ?? '',
  };
}

/** The carrier the API takes; JSON text that does not parse goes as text, and the API names the field. */
function toCarrier(f: Form): Record<string, unknown> {
  const json = (text: string) => {
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const headers: Record<string, string> = {};
  for (const line of f.headers.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const more = f.moreEvents
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return {
    Name: f.Name,
    TargetUrl: f.TargetUrl,
    Events: [...f.picked, ...more],
    Secret: f.Secret === '' ? null : f.Secret,
    State: f.State,
    Headers: headers,
    Properties: json(f.properties),
    MaxPerSecond: f.MaxPerSecond.trim() === '' ? null : Number(f.MaxPerSecond),
    Ordering: f.Ordering,
    Filter: json(f.filter),
    Type: f.Type,
    Description: f.Description,
    ErrorEmails: f.errorEmails
      .split(/[\n,;]/)
      .map((a) => a.trim())
      .filter(Boolean),
    // Associate ids as list items; a word that is no number goes as it is, and the API names the field.
    ErrorAssociates: f.errorAssociates
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .map((a) => ({ Id: /^\d+$/.test(a) ? Number(a) : a })),
    NotifyVia: flags([
      [f.viaEmail, 'Email'],
      [f.viaInApp, 'InApp'],
    ]),
    NotifyWhen: flags([
      [f.onFirstFailure, 'FirstFailure'],
      [f.whenDisabled, 'Disabling'],
    ]),
    ...(receiverAuthOf(f) === undefined ? {} : { ReceiverAuth: receiverAuthOf(f) }),
  };
}

/** Which form field shows a rule the API reported for `property`. */
function fieldOf(property: string): string {
  const head = property.split(/[.[]/)[0] ?? property;
  if (head === 'Events') return 'events';
  if (head === 'Headers') return 'headers';
  if (head === 'Properties') return 'properties';
  if (head === 'Filter') return 'filter';
  if (head === 'ErrorEmails' || head === 'ErrorsEmail') return 'errorEmails';
  if (head === 'ErrorAssociates') return 'errorAssociates';
  return head;
}

export function WebhookForm({ id, portal }: { id: number | null; portal: boolean }) {
  const [form, setForm] = useState<Form | null>(id === null ? EMPTY : null);
  const [current, setCurrent] = useState<Webhook | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [test, setTest] = useState<{ Success: boolean; Message: string } | null>(null);
  const [reveal, setReveal] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (id === null) return;
    api<Webhook>('GET', `/Webhook/${id}`)
      .then((w) => {
        setCurrent(w);
        setForm(fromWebhook(w));
      })
      .catch((e) => setMessage(e instanceof ApiError ? e.message : String(e)));
  }, [id]);

  if (!form) return <ErrorLine error={message} />;
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const errorsFor = (field: string) => errors.filter((e) => fieldOf(e.Property) === field);
  const fieldErrors = (field: string) => {
    const list = errorsFor(field);
    if (list.length === 0) return null;
    return (
      <div id={`${field}-error`}>
        {list.map((e) => (
          <p class="field-error" key={e.Property + e.Rule}>
            {e.Property}: {e.Rule}
          </p>
        ))}
      </div>
    );
  };
  const described = (field: string) => (errorsFor(field).length > 0 ? { 'aria-describedby': `${field}-error`, 'aria-invalid': true } : {});

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErrors([]);
    setMessage(null);
    try {
      const body = toCarrier(form as Form);
      const saved =
        id === null ? await api<Webhook>('POST', '/Webhook', body) : await api<Webhook>('PUT', `/Webhook/${id}`, { ...current, ...body });
      location.hash = `#/webhooks/${saved.WebhookId}`;
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.errors);
        setMessage(err.message);
      } else setMessage(String(err));
    } finally {
      setBusy(false);
    }
  }

  async function sendTest() {
    setTest(null);
    setMessage(null);
    try {
      setTest(await api('POST', '/Webhook/Test', toCarrier(form as Form)));
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.errors);
      setMessage(err instanceof ApiError ? err.message : String(err));
    }
  }

  async function rotate() {
    if (id === null) return;
    try {
      const w = await api<Webhook>('POST', `/Webhook/${id}/Secret/Rotate`, {});
      setCurrent(w);
      set({ Secret: w.Secret });
      setReveal(true);
      setMessage(`A new secret signs from now; the previous one too until ${w.SecretRotation?.PreviousSecretExpires ?? 'now'}.`);
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : String(err));
    }
  }

  return (
    <form onSubmit={save} noValidate>
      <h2>{id === null ? 'New webhook' : `Edit ${current?.Name ?? ''}`}</h2>
      {message && (
        <p class={`notice ${errors.length > 0 ? 'bad' : ''}`} role="status">
          {message}
        </p>
      )}
      <label for="w-name">Name</label>
      <input id="w-name" value={form.Name} onInput={(e) => set({ Name: e.currentTarget.value })} {...described('Name')} />
      {fieldErrors('Name')}

      <label for="w-description">Description</label>
      <input id="w-description" size={50} value={form.Description} onInput={(e) => set({ Description: e.currentTarget.value })} />
      {fieldErrors('Description')}

      <label for="w-type">Type</label>
      <select id="w-type" value={form.Type} onChange={(e) => set({ Type: e.currentTarget.value })}>
        <option value="webhook">webhook (HTTP POST to a URL)</option>
        <option value="crmscript">crmscript (a script by its include name)</option>
      </select>
      {fieldErrors('Type')}

      <label for="w-target">{form.Type === 'crmscript' ? 'Script include name' : 'Target URL'}</label>
      <input
        id="w-target"
        // A URL field for HTTP webhooks (the type union confuses Preact's attribute types, as for the secret).
        {...({ type: form.Type === 'crmscript' ? 'text' : 'url' } as { type: 'url' })}
        size={50}
        value={form.TargetUrl}
        onInput={(e) => set({ TargetUrl: e.currentTarget.value })}
        {...described('TargetUrl')}
      />
      {fieldErrors('TargetUrl')}

      <fieldset class="events" data-event-picker>
        <legend>Events</legend>
        {Object.entries(EVENT_CATALOGUE).map(([entity, sample]) => (
          <fieldset key={entity} class="entity">
            <legend>{entity}</legend>
            {sample.events.map((verb) => {
              const name = `${entity}.${verb}`;
              return (
                <label key={name} class="check">
                  <input
                    type="checkbox"
                    value={name}
                    checked={form.picked.includes(name)}
                    onChange={(e) =>
                      set({
                        picked: e.currentTarget.checked
                          ? CATALOGUE_EVENTS.filter((n) => n === name || form.picked.includes(n))
                          : form.picked.filter((n) => n !== name),
                      })
                    }
                  />{' '}
                  {name}
                </label>
              );
            })}
          </fieldset>
        ))}
      </fieldset>
      <label for="w-more-events">
        More events{' '}
        <span class="hint">
          (typed names, comma separated: list.category.created, y_table.changed, webhook12.errors, wildcards such as contact.*, your own
          events)
        </span>
      </label>
      <input
        id="w-more-events"
        size={40}
        value={form.moreEvents}
        onInput={(e) => set({ moreEvents: e.currentTarget.value })}
        {...described('events')}
      />
      {fieldErrors('events')}

      <label for="w-secret">Secret</label>
      <div class="row">
        <input
          id="w-secret"
          // A password field until revealed (the type union confuses Preact's attribute types).
          {...({ type: reveal ? 'text' : 'password' } as { type: 'text' })}
          autocomplete="off"
          value={form.Secret}
          onInput={(e) => set({ Secret: e.currentTarget.value })}
          {...described('Secret')}
        />
        <button type="button" class="secondary" aria-pressed={reveal} onClick={() => setReveal(!reveal)}>
          {reveal ? 'Hide secret' : 'Reveal secret'}
        </button>
        {id !== null && (
          <button type="button" class="secondary" onClick={rotate}>
            Rotate secret
          </button>
        )}
      </div>
      {fieldErrors('Secret')}

      <label for="w-state">State</label>
      <select id="w-state" value={form.State} onChange={(e) => set({ State: e.currentTarget.value })}>
        <option>Active</option>
        <option>Stopped</option>
        {form.State === 'TooManyErrors' && <option>TooManyErrors</option>}
      </select>

      <label for="w-headers">
        Custom headers <span class="hint">(one "Name: value" a line)</span>
      </label>
      <textarea id="w-headers" value={form.headers} onInput={(e) => set({ headers: e.currentTarget.value })} {...described('headers')} />
      {fieldErrors('headers')}

      <label for="w-properties">
        Properties <span class="hint">(a JSON object added to every payload)</span>
      </label>
      <textarea
        id="w-properties"
        value={form.properties}
        onInput={(e) => set({ properties: e.currentTarget.value })}
        {...described('properties')}
      />
      {fieldErrors('properties')}

      <fieldset class="group">
        <legend>Error notifications</legend>
        <label for="w-error-emails">
          E-mail recipients <span class="hint">(external addresses, one a line)</span>
        </label>
        <textarea
          id="w-error-emails"
          value={form.errorEmails}
          onInput={(e) => set({ errorEmails: e.currentTarget.value })}
          {...described('errorEmails')}
        />
        {fieldErrors('errorEmails')}
        <CrmUsers ids={form.errorAssociates} portal={portal} onChange={(ids) => set({ errorAssociates: ids })} described={described} />
        {fieldErrors('errorAssociates')}
        <fieldset class="inline">
          <legend>Notify via</legend>
          <label class="check">
            <input type="checkbox" checked={form.viaEmail} onChange={(e) => set({ viaEmail: e.currentTarget.checked })} /> E-mail
          </label>
          <label class="check">
            <input type="checkbox" checked={form.viaInApp} onChange={(e) => set({ viaInApp: e.currentTarget.checked })} /> In-app
          </label>
        </fieldset>
        {fieldErrors('NotifyVia')}
        <fieldset class="inline">
          <legend>Notify when</legend>
          <label class="check">
            <input type="checkbox" checked={form.onFirstFailure} onChange={(e) => set({ onFirstFailure: e.currentTarget.checked })} /> On
            first failure
          </label>
          <label class="check">
            <input type="checkbox" checked={form.whenDisabled} onChange={(e) => set({ whenDisabled: e.currentTarget.checked })} /> When
            disabled
          </label>
        </fieldset>
        {fieldErrors('NotifyWhen')}
      </fieldset>

      <h3>Delivery controls</h3>
      <label for="w-rate">
        At most this many attempts a second <span class="hint">(empty: no limit)</span>
      </label>
      <input
        id="w-rate"
        inputMode="decimal"
        value={form.MaxPerSecond}
        onInput={(e) => set({ MaxPerSecond: e.currentTarget.value })}
        {...described('MaxPerSecond')}
      />
      {fieldErrors('MaxPerSecond')}
      <label for="w-ordering">Ordering</label>
      <select id="w-ordering" value={form.Ordering} onChange={(e) => set({ Ordering: e.currentTarget.value })}>
        <option value="None">None (NetServer's rule)</option>
        <option value="Strict">Strict (one at a time, in signal order)</option>
      </select>
      <label for="w-filter">
        Payload filter <span class="hint">(JSON, e.g. {'{"FieldValues.amount": {"$gt": 100}}'})</span>
      </label>
      <textarea id="w-filter" value={form.filter} onInput={(e) => set({ filter: e.currentTarget.value })} {...described('filter')} />
      {fieldErrors('filter')}
      <FilterTester filter={form.filter} event={form.picked[0] ?? 'contact.changed'} />

      <h3>Receiver authentication</h3>
      <p class="hint">
        Keys, client secrets and passwords are never shown again: leave them empty to keep what is stored.
        {current?.ReceiverAuth?.ClientCertificate && ` Client certificate: ${current.ReceiverAuth.ClientCertificate.Subject}.`}
        {current?.ReceiverAuth?.CaCertificates && ` Trusted CA: ${current.ReceiverAuth.CaCertificates.map((c) => c.Subject).join(', ')}.`}
      </p>
      <label for="w-client-cert">Client certificate (PEM, mutual TLS)</label>
      <textarea id="w-client-cert" value={form.clientCert} onInput={(e) => set({ clientCert: e.currentTarget.value })} />
      <label for="w-client-key">Its private key (PEM)</label>
      <textarea id="w-client-key" autocomplete="off" value={form.clientKey} onInput={(e) => set({ clientKey: e.currentTarget.value })} />
      <label for="w-ca">CA of the receiver's certificate (PEM; a private CA)</label>
      <textarea id="w-ca" value={form.caCerts} onInput={(e) => set({ caCerts: e.currentTarget.value })} />
      <label for="w-token-url">OAuth2 token URL</label>
      <input id="w-token-url" value={form.tokenUrl} onInput={(e) => set({ tokenUrl: e.currentTarget.value })} />
      <label for="w-client-id">OAuth2 client id</label>
      <input id="w-client-id" value={form.clientId} onInput={(e) => set({ clientId: e.currentTarget.value })} />
      <label for="w-client-secret">OAuth2 client password (RFC 6749 §2.3.1)</label>
      <input
        id="w-client-secret"
        type="password"
        autocomplete="off"
        value={form.clientSecret}
        onInput={(e) => set({ clientSecret: e.currentTarget.value })}
      />
      <label for="w-scope">OAuth2 scope</label>
      <input id="w-scope" value={form.scope} onInput={(e) => set({ scope: e.currentTarget.value })} />
      <label for="w-audience">OAuth2 audience</label>
      <input id="w-audience" value={form.audience} onInput={(e) => set({ audience: e.currentTarget.value })} />
      <label for="w-oauth-method">OAuth2 client authentication</label>
      <select id="w-oauth-method" value={form.oauthMethod} onChange={(e) => set({ oauthMethod: e.currentTarget.value })}>
        <option value="client_secret_basic">client_secret_basic</option>
        <option value="client_secret_post">client_secret_post</option>
      </select>
      <label for="w-basic-user">Basic auth user</label>
      <input id="w-basic-user" value={form.basicUser} onInput={(e) => set({ basicUser: e.currentTarget.value })} />
      <label for="w-basic-password">Basic auth password</label>
      <input
        id="w-basic-password"
        type="password"
        autocomplete="off"
        value={form.basicPassword}
        onInput={(e) => set({ basicPassword: e.currentTarget.value })}
      />
      <label>
        <input type="checkbox" checked={form.removeAuth} onChange={(e) => set({ removeAuth: e.currentTarget.checked })} /> Remove all
        receiver authentication
      </label>
      {fieldErrors('ReceiverAuth')}

      <p class="actions" style="margin-top:1rem">
        <button type="submit" disabled={busy}>
          {id === null ? 'Create webhook' : 'Save'}
        </button>
        <button type="button" class="secondary" onClick={sendTest}>
          Send test
        </button>
        <a class="button secondary" href={id === null ? '#/' : `#/webhooks/${id}`}>
          Cancel
        </a>
      </p>
      {test && (
        <div class={`notice ${test.Success ? 'good' : 'bad'}`} role="status" data-test-result>
          <strong>{test.Success ? 'The target answered the test' : 'The test failed'}</strong>
          <pre class="text">{test.Message}</pre>
        </div>
      )}
      {portal && <p class="hint">You manage the webhooks of your own account here.</p>}
    </form>
  );
}

/** A sample payload as a receiver would get it for `event` (the catalogue's sample). */
function samplePayload(event: string): string {
  const data = sampleData(event, 18) ?? {};
  return JSON.stringify({ Event: event, PrimaryKey: 18, ContextIdentifier: 'Cust12345', ChangedByAssociateId: 5, ...data }, null, 2);
}

/** Past 12.1: tries the filter on a sample payload (POST /Webhook/Filter/Test) and says which conditions missed. */
function FilterTester({ filter, event }: { filter: string; event: string }) {
  const [payload, setPayload] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<{ Matches: boolean; Failed: Array<{ Condition: unknown; Value: unknown }> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = payload ?? samplePayload(event);

  async function run() {
    setVerdict(null);
    setError(null);
    try {
      const parsedFilter = filter.trim() === '' ? {} : JSON.parse(filter);
      setVerdict(await api('POST', '/Webhook/Filter/Test', { Filter: parsedFilter, Payload: JSON.parse(shown) }));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : `Not JSON: ${(e as Error).message}`);
    }
  }

  return (
    <details class="filter-tester">
      <summary>Try the filter on a sample payload</summary>
      <label for="w-filter-payload">Sample payload</label>
      <textarea id="w-filter-payload" rows={8} value={shown} onInput={(e) => setPayload(e.currentTarget.value)} />
      <p class="actions">
        <button type="button" class="secondary" onClick={run}>
          Test filter
        </button>
      </p>
      {verdict && (
        <div class={`notice ${verdict.Matches ? 'good' : 'bad'}`} role="status" data-filter-verdict>
          {verdict.Matches ? 'The filter matches: this event would be delivered.' : 'No match: this event would not be queued.'}
          {verdict.Failed.map((f, i) => (
            <p key={i} class="hint">
              {JSON.stringify(f.Condition)} — the payload has {JSON.stringify(f.Value) ?? 'nothing'}
            </p>
          ))}
        </div>
      )}
      <ErrorLine error={error} />
    </details>
  );
}

interface AssociateItem {
  AssociateId: number;
  Name: string | null;
  FullName: string | null;
  UserName: string | null;
}

/**
 * ErrorAssociates as 12.1 picks them: a checkbox per CRM user of the tenant (GET /Associate). The portal's token
 * reaches only /Webhook, so there (or when the list cannot be read) the ids are typed.
 */
function CrmUsers({
  ids,
  portal,
  onChange,
  described,
}: {
  ids: string;
  portal: boolean;
  onChange: (ids: string) => void;
  described: (field: string) => Record<string, unknown>;
}) {
  const [users, setUsers] = useState<AssociateItem[] | null>(null);
  useEffect(() => {
    if (portal) return;
    api<AssociateItem[]>('GET', '/Associate').then(setUsers, () => setUsers(null));
  }, [portal]);
  const chosen = ids
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (users === null)
    return (
      <>
        <label for="w-error-associates">
          CRM users <span class="hint">(associate ids, comma separated)</span>
        </label>
        <input id="w-error-associates" value={ids} onInput={(e) => onChange(e.currentTarget.value)} {...described('errorAssociates')} />
      </>
    );
  const toggle = (id: string, on: boolean) => onChange((on ? [...chosen, id] : chosen.filter((c) => c !== id)).join(', '));
  return (
    <fieldset class="inline" data-crm-users>
      <legend>CRM users</legend>
      {users.map((u) => (
        <label key={u.AssociateId} class="check">
          <input
            type="checkbox"
            checked={chosen.includes(String(u.AssociateId))}
            onChange={(e) => toggle(String(u.AssociateId), e.currentTarget.checked)}
          />{' '}
          {u.FullName || u.Name || `#${u.AssociateId}`} ({u.UserName})
        </label>
      ))}
    </fieldset>
  );
}
