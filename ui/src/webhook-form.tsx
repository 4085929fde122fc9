/**
 * Create or edit a webhook. Events come from the catalogue (wildcards may be typed); the API's validation
 * rules are shown at the field they name; "Send test" pings the target with the form as it stands.
 */
import { useEffect, useState } from 'preact/hooks';
import { EVENT_CATALOGUE } from '../../src/domain/event-catalogue.js';
import { ApiError, api, type FieldError, type Webhook } from './api.js';
import { ErrorLine } from './widgets.js';

const CATALOGUE_EVENTS = Object.keys(EVENT_CATALOGUE).flatMap((entity) => ['created', 'changed', 'deleted'].map((a) => `${entity}.${a}`));

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
}

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
  };
}

/** Which form field shows a rule the API reported for `property`. */
function fieldOf(property: string): string {
  const head = property.split(/[.[]/)[0] ?? property;
  if (head === 'Events') return 'events';
  if (head === 'Headers') return 'headers';
  if (head === 'Properties') return 'properties';
  if (head === 'Filter') return 'filter';
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

      <label for="w-target">Target URL</label>
      <input
        id="w-target"
        type="url"
        size={50}
        value={form.TargetUrl}
        onInput={(e) => set({ TargetUrl: e.currentTarget.value })}
        {...described('TargetUrl')}
      />
      {fieldErrors('TargetUrl')}

      <label for="w-events">
        Events <span class="hint">(pick with Ctrl or Shift)</span>
      </label>
      <select
        id="w-events"
        multiple
        size={6}
        onChange={(e) => set({ picked: [...e.currentTarget.selectedOptions].map((o) => o.value) })}
        {...described('events')}
      >
        {CATALOGUE_EVENTS.map((name) => (
          <option key={name} selected={form.picked.includes(name)}>
            {name}
          </option>
        ))}
      </select>
      <label for="w-more-events">
        More events <span class="hint">(comma separated; wildcards such as contact.* or webhook12.errors)</span>
      </label>
      <input id="w-more-events" size={40} value={form.moreEvents} onInput={(e) => set({ moreEvents: e.currentTarget.value })} />
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
