/**
 * The audit log (issue 25): who changed what, when and from where, newest first, filtered by time, actor and
 * webhook. The log never holds a secret: `Changed` lists the properties set, with the values of harmless ones.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import { ErrorLine, Timestamp } from './widgets.js';

interface AuditRecord {
  AuditId: number;
  At: string;
  ActorKind: string;
  Actor: string;
  Application: string;
  Address: string;
  Action: string;
  WebhookId: number | null;
  Changes: { Set?: string[]; Values?: Record<string, unknown>; ReceiverAuth?: unknown };
}

interface Filters {
  from: string;
  to: string;
  actor: string;
  webhook: string;
}

function query(f: Filters): string {
  const q = new URLSearchParams({ $top: '200' });
  // datetime-local has no zone: the dashboard reads it as UTC, like every time the API shows.
  if (f.from) q.set('From', `${f.from}:00Z`);
  if (f.to) q.set('To', `${f.to}:00Z`);
  if (f.actor.trim()) q.set('Actor', f.actor.trim());
  if (/^\d+$/.test(f.webhook.trim())) q.set('WebhookId', f.webhook.trim());
  return `?${q}`;
}

function changed(c: AuditRecord['Changes']): string {
  const values = Object.entries(c.Values ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const others = (c.Set ?? []).filter((k) => !(k in (c.Values ?? {})));
  const auth =
    c.ReceiverAuth === undefined
      ? []
      : [`ReceiverAuth: ${Array.isArray(c.ReceiverAuth) ? c.ReceiverAuth.join(', ') : String(c.ReceiverAuth)}`];
  return [...values, ...others, ...auth].join('; ');
}

export function Audit() {
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', actor: '', webhook: '' });
  const [page, setPage] = useState<{ Total: number; Items: AuditRecord[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = (f: Filters) =>
    api<{ Total: number; Items: AuditRecord[] }>('GET', `/Audit${query(f)}`)
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  useEffect(() => void load(filters), []);

  const set = (name: keyof Filters) => (e: Event) => setFilters({ ...filters, [name]: (e.currentTarget as HTMLInputElement).value });

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void load(filters);
        }}
      >
        <label for="audit-from">From (UTC)</label>
        <input id="audit-from" type="datetime-local" value={filters.from} onInput={set('from')} />
        <label for="audit-to">To (UTC)</label>
        <input id="audit-to" type="datetime-local" value={filters.to} onInput={set('to')} />
        <label for="audit-actor">Actor</label>
        <input id="audit-actor" value={filters.actor} onInput={set('actor')} size={12} />
        <label for="audit-webhook">Webhook id</label>
        <input id="audit-webhook" inputMode="numeric" value={filters.webhook} onInput={set('webhook')} size={6} />
        <button type="submit">Show</button>
      </form>
      <ErrorLine error={error} />
      {page && (
        <table>
          <caption>
            {page.Items.length} of {page.Total} changes, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">From</th>
              <th scope="col">Action</th>
              <th scope="col">Webhook</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {page.Items.length === 0 && (
              <tr>
                <td colSpan={6} class="hint">
                  No changes recorded.
                </td>
              </tr>
            )}
            {page.Items.map((r) => (
              <tr key={r.AuditId}>
                <td>
                  <Timestamp value={r.At} />
                </td>
                <td>
                  {r.Actor}
                  {r.ActorKind !== 'user' && (
                    <span class="hint">
                      {' '}
                      ({r.ActorKind}
                      {r.Application ? ` ${r.Application}` : ''})
                    </span>
                  )}
                </td>
                <td>{r.Address}</td>
                <td>
                  <code>{r.Action}</code>
                </td>
                <td>{r.WebhookId === null ? '' : <a href={`#/webhooks/${r.WebhookId}`}>{r.WebhookId}</a>}</td>
                <td>{changed(r.Changes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
