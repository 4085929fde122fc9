/**
 * Every webhook as 12.1's Webhooks panel lists them (superoffice-webhooks.md §12): Name, Status, Target, Events,
 * Last delivery, Last result, Failures (24 h), with the badge (Active, Active with failures, Stopped, Disabled)
 * and the failures in a row toward disabling ("7/9"); past 12.1, a Retry-After pause and a strict queue waiting
 * behind a failing event. Actions: Edit, Copy (created Stopped), Stop/Start, Restart (only when disabled) and
 * Delete with a confirmation. The name is searched by substring here; the API's nameFilter stays exact (NetServer).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Webhook } from './api.js';
import { LastResult, PanelBadge, StatusNotes, Timestamp } from './widgets.js';

/** 12.1's Copy: the same webhook named "<name> (copy)", created Stopped (so no test ping and no deliveries yet). */
export function copyOf(w: Webhook): Record<string, unknown> {
  const { WebhookId: _id, Usage: _usage, _Links: _links, SecretRotation: _rotation, ...carrier } = w;
  return { ...carrier, Name: `${w.Name} (copy)`, State: 'Stopped' };
}

/** Whether the name contains the search text, ignoring case (the label says "Name contains"). */
export function nameMatches(name: string, search: string): boolean {
  return name.toLocaleLowerCase().includes(search.trim().toLocaleLowerCase());
}

/** The properties the list shows ($select); the rest of each carrier is nulled by the API. */
const LIST_COLUMNS = 'WebhookId,Name,State,TargetUrl,Events';

export function WebhookList() {
  const [name, setName] = useState('');
  const [state, setState] = useState('');
  const [event, setEvent] = useState('');
  const [list, setList] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    // Only the columns shown: the full carrier (rights, associates) is ~7 KB a webhook, 6.8 MB for 1,000.
    const q = new URLSearchParams({ Usage: 'true', $select: LIST_COLUMNS });
    if (state) q.set('statusFilter', state);
    if (event) q.set('eventFilter', event);
    const timer = setTimeout(() => {
      api<Webhook[]>('GET', `/Webhook?${q}`)
        .then((l) => {
          setList(l);
          setError(null);
        })
        .catch((e) => setError(e instanceof ApiError ? e.message : String(e)));
    }, 150);
    return () => clearTimeout(timer);
  }, [state, event, reload]);

  async function act(what: () => Promise<unknown>, done: string) {
    try {
      await what();
      setNotice(done);
      setError(null);
      setReload((n) => n + 1);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }
  const setWebhookState = (w: Webhook, s: string, done: string) =>
    act(() => api('PATCH', `/Webhook/${w.WebhookId}`, { State: s }, { 'Content-Type': 'application/merge-patch+json' }), done);
  const copy = (w: Webhook) =>
    act(
      async () => api('POST', '/Webhook', copyOf(await api<Webhook>('GET', `/Webhook/${w.WebhookId}`))),
      `Copied as "${w.Name} (copy)", Stopped.`,
    );
  const remove = (w: Webhook) =>
    act(async () => {
      setConfirming(null);
      await api('DELETE', `/Webhook/${w.WebhookId}`);
    }, `"${w.Name}" is deleted.`);

  const shown = list?.filter((w) => nameMatches(w.Name, name)) ?? null;

  return (
    <>
      <h2>Webhooks</h2>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="f-name">Name contains</label>
          <input id="f-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div>
          <label for="f-state">State</label>
          <select id="f-state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">Any</option>
            <option>Active</option>
            <option>Stopped</option>
            <option value="TooManyErrors">Disabled (TooManyErrors)</option>
          </select>
        </div>
        <div>
          <label for="f-event">Event</label>
          <input id="f-event" value={event} placeholder="contact.created" onInput={(e) => setEvent(e.currentTarget.value)} />
        </div>
        <a class="button" href="#/webhooks/new">
          New webhook
        </a>
      </form>
      {error && (
        <p class="notice bad" role="alert">
          {error}
        </p>
      )}
      <p class="notice good" role="status" hidden={notice === null}>
        {notice}
      </p>
      {shown && shown.length === 0 && <p>{list && list.length > 0 ? 'No webhook has such a name.' : 'No webhooks here yet.'}</p>}
      {shown && shown.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="hint" style="text-align:left;padding:0.4rem 0.6rem">
              {shown.length} webhook{shown.length === 1 ? '' : 's'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Target</th>
                <th scope="col">Events</th>
                <th scope="col">Last delivery</th>
                <th scope="col">Last result</th>
                <th scope="col">Failures (24 h)</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((w) => (
                <tr key={w.WebhookId} data-webhook={w.WebhookId}>
                  <td>
                    <a href={`#/webhooks/${w.WebhookId}`}>{w.Name}</a>
                  </td>
                  <td>
                    <PanelBadge w={w} />
                    <StatusNotes w={w} />
                  </td>
                  <td class="target">{w.TargetUrl}</td>
                  <td>{w.Events.length}</td>
                  <td>
                    <Timestamp value={w.Usage?.LastDelivery ?? null} />
                  </td>
                  <td>
                    <LastResult usage={w.Usage} />
                  </td>
                  <td>{w.Usage?.Failures24h ?? '—'}</td>
                  <td>
                    <div class="actions" role="group" aria-label={`Actions for ${w.Name}`}>
                      <a class="button secondary" href={`#/webhooks/${w.WebhookId}/edit`}>
                        Edit
                      </a>
                      <button type="button" class="secondary" onClick={() => copy(w)}>
                        Copy
                      </button>
                      {w.State === 'Active' && (
                        <button type="button" class="secondary" onClick={() => setWebhookState(w, 'Stopped', `"${w.Name}" is stopped.`)}>
                          Stop
                        </button>
                      )}
                      {w.State === 'Stopped' && (
                        <button type="button" class="secondary" onClick={() => setWebhookState(w, 'Active', `"${w.Name}" is active.`)}>
                          Start
                        </button>
                      )}
                      {w.State === 'TooManyErrors' && (
                        <button type="button" onClick={() => setWebhookState(w, 'Active', `"${w.Name}" is restarted.`)}>
                          Restart
                        </button>
                      )}
                      {confirming !== w.WebhookId ? (
                        <button type="button" class="danger" onClick={() => setConfirming(w.WebhookId)}>
                          Delete
                        </button>
                      ) : (
                        <span class="row" role="group" aria-label="Confirm deletion">
                          <span>Delete it and its log?</span>
                          <button type="button" class="danger" onClick={() => remove(w)}>
                            Yes, delete
                          </button>
                          <button type="button" class="secondary" onClick={() => setConfirming(null)}>
                            No
                          </button>
                        </span>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
