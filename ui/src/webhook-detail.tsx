/**
 * One webhook: its state and statistics, what can be done with it (enable, disable, restart, test, delete),
 * a chart of its attempts, its delivery log with each attempt's request and answer (always as text), resend,
 * and recovering a time range with a dry-run count and a progress bar.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  api,
  apiText,
  type CertificateShown,
  type Delivery,
  type DeliveryLogPage,
  type Job,
  type RecoverCount,
  type TestResult,
  type Webhook,
} from './api.js';
import { AttemptsChart, type Bucket, ErrorLine, LastResult, PanelBadge, StatusNotes, Timestamp, successRate } from './widgets.js';

type Page = DeliveryLogPage;

function message(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

export function WebhookDetail({ id, portal }: { id: number; portal: boolean }) {
  const [w, setW] = useState<Webhook | null>(null);
  const [page, setPage] = useState<Page | null>(null);
  const [buckets, setBuckets] = useState<Bucket[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string; detail?: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [status, setStatus] = useState('');
  const [eventFilter, setEventFilter] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');

  async function load() {
    try {
      setW(await api<Webhook>('GET', `/Webhook/${id}?Usage=true`));
      setPage(await api<Page>('GET', `/Webhook/${id}/Deliveries?$top=100`));
      const stats = await api<{ Buckets: Bucket[] }>('GET', `/Webhook/${id}/Stats?Since=24h&Bucket=1h`);
      setBuckets(stats.Buckets);
      setError(null);
    } catch (e) {
      setError(message(e));
    }
  }
  useEffect(() => {
    void load();
  }, [id]);

  if (!w) return <ErrorLine error={error ?? null} />;

  async function setState(state: string) {
    try {
      await api('PATCH', `/Webhook/${id}`, { State: state }, { 'Content-Type': 'application/merge-patch+json' });
      setNotice({ ok: true, text: `The webhook is ${state} now.` });
      await load();
    } catch (e) {
      setNotice({ ok: false, text: message(e) });
    }
  }

  async function test() {
    try {
      const r = await api<TestResult>('POST', '/Webhook/Test', w);
      setNotice({ ok: r.Success, text: r.Success ? 'The target answered the test' : 'The test failed', detail: r.Message });
    } catch (e) {
      setNotice({ ok: false, text: message(e) });
    }
  }

  async function remove() {
    try {
      await api('DELETE', `/Webhook/${id}`);
      location.hash = '#/';
    } catch (e) {
      setNotice({ ok: false, text: message(e) });
    }
  }

  async function resend(deliveryId: number) {
    try {
      await api('POST', `/Webhook/${id}/Deliveries/${deliveryId}/Retry`);
      setNotice({ ok: true, text: `Delivery ${deliveryId} is queued again.` });
      setTimeout(() => void load(), 500);
    } catch (e) {
      setNotice({ ok: false, text: message(e) });
    }
  }

  async function exportCsv() {
    try {
      const csv = await apiText(`/Webhook/${id}/Deliveries?Format=csv`);
      // A download of the text the API answered (the page's CSP allows no other origin; a blob: link is a download).
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      link.download = `webhook-${id}-deliveries.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (e) {
      setNotice({ ok: false, text: message(e) });
    }
  }

  const shown = (page?.Items ?? []).filter((d) => {
    if (status && d.Status !== status) return false;
    if (eventFilter && !d.Event.includes(eventFilter)) return false;
    if (from && Date.parse(d.Created) < Date.parse(from)) return false;
    if (until && Date.parse(d.Created) > Date.parse(until)) return false;
    return true;
  });

  return (
    <>
      <h2>
        {w.Name} <PanelBadge w={w} />
      </h2>
      <StatusNotes w={w} />
      <p style="word-break:break-all">
        {w.TargetUrl} · {w.Events.join(', ')}
      </p>
      <div class="stats" aria-label="Statistics">
        <div>Calls: {w.TotalCalls}</div>
        <div>Errors: {w.TotalErrors}</div>
        <div>In a row: {w.ConsecutiveErrors}</div>
        <div>Success: {successRate(w)}</div>
        <div>Failures (24 h): {w.Usage?.Failures24h ?? '—'}</div>
        <div>
          Last delivery: <Timestamp value={w.Usage?.LastDelivery ?? null} /> <LastResult usage={w.Usage} />
        </div>
      </div>
      <div class="actions">
        <a class="button" href={`#/webhooks/${id}/edit`}>
          Edit
        </a>
        {w.State === 'Active' && (
          <button type="button" class="secondary" onClick={() => setState('Stopped')}>
            Disable
          </button>
        )}
        {w.State === 'Stopped' && (
          <button type="button" class="secondary" onClick={() => setState('Active')}>
            Enable
          </button>
        )}
        {w.State === 'TooManyErrors' && (
          <button type="button" onClick={() => setState('Active')}>
            Restart
          </button>
        )}
        <button type="button" class="secondary" onClick={test}>
          Send test event
        </button>
        <button type="button" class="secondary" onClick={() => void load()}>
          Refresh
        </button>
        {!confirmDelete && (
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
        {confirmDelete && (
          <span class="row" role="group" aria-label="Confirm deletion">
            <span>Delete this webhook and its log?</span>
            <button type="button" class="danger" onClick={remove}>
              Yes, delete
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
              No
            </button>
          </span>
        )}
      </div>
      {notice && (
        <div class={`notice ${notice.ok ? 'good' : 'bad'}`} role="status">
          {notice.text}
          {notice.detail !== undefined && <pre class="text">{notice.detail}</pre>}
        </div>
      )}
      <ErrorLine error={error} />
      {w.ReceiverAuth && <ReceiverAuthSummary auth={w.ReceiverAuth} />}
      {w.LastError && (
        <>
          <h3>Last error</h3>
          <pre class="text">{w.LastError}</pre>
        </>
      )}

      <h3>Attempts, last 24 hours</h3>
      <AttemptsChart buckets={buckets} />

      {!portal && <Recover id={id} onDone={() => void load()} />}

      <h3>Deliveries</h3>
      {page?.BlockedBy && (
        <p class="notice bad">
          The queue waits for event {page.BlockedBy.EventId} ({page.BlockedBy.Attempts} attempts so far).
        </p>
      )}
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter deliveries">
        <div>
          <label for="d-status">Status</label>
          <select id="d-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any</option>
            <option value="queued">Queued</option>
            <option value="delivered">Delivered</option>
          </select>
        </div>
        <div>
          <label for="d-event">Event</label>
          <input id="d-event" value={eventFilter} onInput={(e) => setEventFilter(e.currentTarget.value)} />
        </div>
        <div>
          <label for="d-from">From</label>
          <input id="d-from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </div>
        <div>
          <label for="d-until">Until</label>
          <input id="d-until" type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </div>
      </form>
      <p class="hint">
        {shown.length} of {page?.Total ?? 0} deliveries shown (the newest 100 are loaded).{' '}
        <button type="button" class="secondary" onClick={exportCsv}>
          Export CSV
        </button>
      </p>
      {shown.map((d) => (
        <DeliveryRow key={d.DeliveryId} d={d} onResend={() => resend(d.DeliveryId)} />
      ))}
    </>
  );
}

/** The newest attempt's error code (HTTP status, or where it failed), or null when it succeeded or none was made. */
function errorCode(d: Delivery): string | null {
  const last = d.Attempts.at(-1);
  if (!last || last.Outcome === 'success') return null;
  return last.StatusCode !== null ? String(last.StatusCode) : (last.Stage ?? last.Outcome);
}

function DeliveryRow({ d, onResend }: { d: Delivery; onResend: () => void }) {
  const code = errorCode(d);
  // Still queued after a failed attempt: "Retry now" makes it due at once (12.1's retry of one failed event).
  const failed = d.Status === 'queued' && code !== null;
  return (
    <details data-delivery={d.DeliveryId}>
      <summary>
        {d.Event} #{d.PrimaryKey} — {d.Status} — {d.Attempts.length} attempt{d.Attempts.length === 1 ? '' : 's'}
        {code !== null ? ` — error ${code}` : ''} — {d.Created}
      </summary>
      <p class="actions">
        <button type="button" class={failed ? '' : 'secondary'} onClick={onResend}>
          {failed ? 'Retry now' : 'Resend'}
        </button>
      </p>
      {d.TraceId && (
        <p>
          Trace ID: <code data-trace-id>{d.TraceId}</code>
        </p>
      )}
      {d.Request && (
        <>
          <h4>Request as sent</h4>
          <pre class="text">
            {Object.entries(d.Request.Headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n')}
          </pre>
          <pre class="text">{d.Request.Body}</pre>
        </>
      )}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Retry</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {d.Attempts.map((a) => (
              <tr key={a.AttemptId}>
                <td>{a.Started}</td>
                <td>{a.Retry}</td>
                <td>{a.StatusCode ?? '—'}</td>
                <td>{a.Outcome}</td>
                <td>{a.DurationMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {d.Attempts.filter((a) => a.Error).map((a) => (
        <div key={`e${a.AttemptId}`}>
          <h4>Answer to attempt {a.Retry}</h4>
          <pre class="text">{a.Error}</pre>
        </div>
      ))}
    </details>
  );
}

function Recover({ id, onDone }: { id: number; onDone: () => void }) {
  const [since, setSince] = useState('2h');
  const [statusChoice, setStatusChoice] = useState('Failed');
  const [count, setCount] = useState<number | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function dryRun() {
    setError(null);
    try {
      setCount((await api<RecoverCount>('POST', `/Webhook/${id}/Recover?DryRun=true`, { Since: since, Status: statusChoice })).Count);
    } catch (e) {
      setError(message(e));
    }
  }

  async function run() {
    setError(null);
    try {
      const started = await api<Job>('POST', `/Webhook/${id}/Recover`, {
        Since: since,
        Status: statusChoice,
      });
      setJob(started);
      for (;;) {
        const j = await api<Job>('GET', `/Jobs/${started.JobId}`);
        setJob(j);
        if (j.State === 'Done' || j.State === 'Failed') break;
        await new Promise((r) => setTimeout(r, 300));
      }
      onDone();
    } catch (e) {
      setError(message(e));
    }
  }

  return (
    <section aria-labelledby="recover-title">
      <h3 id="recover-title">Recover a time range</h3>
      <div class="filters">
        <div>
          <label for="r-since">
            Since <span class="hint">(2h, 30m, 7d or a date-time)</span>
          </label>
          <input id="r-since" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div>
          <label for="r-status">Deliveries</label>
          <select id="r-status" value={statusChoice} onChange={(e) => setStatusChoice(e.currentTarget.value)}>
            <option value="Failed">Delivered after failures</option>
            <option value="All">All delivered</option>
          </select>
        </div>
        <button type="button" class="secondary" onClick={dryRun}>
          Count (dry run)
        </button>
        <button type="button" onClick={run}>
          Recover
        </button>
      </div>
      {count !== null && <p role="status">{count} deliveries would be sent again.</p>}
      {job && (
        <div>
          <label for="r-progress">
            Recover: {job.Done} of {job.Total} ({job.State})
          </label>
          <progress id="r-progress" max={Math.max(1, job.Total)} value={job.Done} />
        </div>
      )}
      <ErrorLine error={error} />
    </section>
  );
}

/** How the webhook authenticates to its receiver (issue 25): never a key, client secret or password. */
function ReceiverAuthSummary({ auth }: { auth: NonNullable<Webhook['ReceiverAuth']> }) {
  const cert = (c: CertificateShown) => (
    <>
      {c.Subject}{' '}
      <span class="hint">
        (expires <Timestamp value={c.Expires} />; SHA-256 {c.Fingerprint.slice(0, 23)}…)
      </span>
    </>
  );
  return (
    <>
      <h3>Receiver authentication</h3>
      <dl>
        {auth.ClientCertificate && (
          <>
            <dt>Client certificate (mutual TLS)</dt>
            <dd>{cert(auth.ClientCertificate)}</dd>
          </>
        )}
        {auth.CaCertificates && (
          <>
            <dt>Trusted CA</dt>
            {auth.CaCertificates.map((c) => (
              <dd key={c.Fingerprint}>{cert(c)}</dd>
            ))}
          </>
        )}
        {auth.OAuth2 && (
          <>
            <dt>OAuth2 client credentials</dt>
            <dd>
              {auth.OAuth2.ClientId} at <code>{auth.OAuth2.TokenUrl}</code> ({auth.OAuth2.Method}
              {auth.OAuth2.Scope ? `, scope ${auth.OAuth2.Scope}` : ''})
            </dd>
          </>
        )}
        {auth.Basic && (
          <>
            <dt>Basic auth</dt>
            <dd>{auth.Basic.UserName}</dd>
          </>
        )}
      </dl>
    </>
  );
}
