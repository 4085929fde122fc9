/** Every webhook with its state badge and statistics; search by name, filter by state and event. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Webhook } from './api.js';
import { StateBadge, successRate } from './widgets.js';

export function WebhookList() {
  const [name, setName] = useState('');
  const [state, setState] = useState('');
  const [event, setEvent] = useState('');
  const [list, setList] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const q = new URLSearchParams();
    if (name) q.set('nameFilter', name);
    if (state) q.set('statusFilter', state);
    if (event) q.set('eventFilter', event);
    const timer = setTimeout(() => {
      api<Webhook[]>('GET', `/Webhook${q.size > 0 ? `?${q}` : ''}`)
        .then((l) => {
          setList(l);
          setError(null);
        })
        .catch((e) => setError(e instanceof ApiError ? e.message : String(e)));
    }, 150);
    return () => clearTimeout(timer);
  }, [name, state, event]);

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
            <option>TooManyErrors</option>
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
      {list && list.length === 0 && <p>No webhooks here yet.</p>}
      {list && list.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="hint" style="text-align:left;padding:0.4rem 0.6rem">
              {list.length} webhook{list.length === 1 ? '' : 's'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Events</th>
                <th scope="col">Target</th>
                <th scope="col">Calls</th>
                <th scope="col">Errors</th>
                <th scope="col">In a row</th>
                <th scope="col">Success</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <tr key={w.WebhookId} data-webhook={w.WebhookId}>
                  <td>
                    <a href={`#/webhooks/${w.WebhookId}`}>{w.Name}</a>
                  </td>
                  <td>
                    <StateBadge state={w.State} />
                  </td>
                  <td>{w.Events.join(', ')}</td>
                  <td style="word-break:break-all">{w.TargetUrl}</td>
                  <td>{w.TotalCalls}</td>
                  <td>{w.TotalErrors}</td>
                  <td>{w.ConsecutiveErrors}</td>
                  <td>{successRate(w)}</td>
                  <td>{w.LastError ? w.LastError.split('\r\n')[0] : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
