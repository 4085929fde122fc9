/**
 * Application access (issue 23's "Online Restricted"): the mode hookd runs in (HOOKD_APP_ACCESS) and the
 * applications granted the Webhook agent; the administrator grants one by its SO-AppToken and revokes a grant.
 * The token is sent once and never shown again: hookd keeps only its SHA-256.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import { ErrorLine, Timestamp } from './widgets.js';

interface Grant {
  AppTokenHash: string;
  Name: string;
  Granted: string;
  /** AssociateId of the administrator who granted it. */
  GrantedBy: number;
}

export function AppAccess() {
  const [access, setAccess] = useState<{ Mode: string; Grants: Grant[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const [done, setDone] = useState<string | null>(null);

  const load = () =>
    api<{ Mode: string; Grants: Grant[] }>('GET', '/AppAccess')
      .then((a) => {
        setAccess(a);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  useEffect(() => void load(), []);

  const grant = async (e: Event) => {
    e.preventDefault();
    try {
      const g = await api<Grant>('POST', '/AppAccess', { AppToken: token, Name: name || null });
      setDone(`Granted: ${g.Name || g.AppTokenHash.slice(0, 12)}`);
      setToken('');
      setName('');
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  const revoke = async (g: Grant) => {
    if (!confirm(`Revoke the Webhook agent from ${g.Name || g.AppTokenHash.slice(0, 12)}?`)) return;
    try {
      await api('DELETE', `/AppAccess/${g.AppTokenHash}`);
      setDone(`Revoked: ${g.Name || g.AppTokenHash.slice(0, 12)}`);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <section aria-labelledby="access-title">
      <h2 id="access-title">Application access</h2>
      <ErrorLine error={error} />
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      {access && (
        <>
          <p>
            Mode: <strong>{access.Mode}</strong>{' '}
            <span class="hint">
              {access.Mode === 'Restricted'
                ? '(HOOKD_APP_ACCESS=restricted: an application may use the Webhook agent only once granted)'
                : '(HOOKD_APP_ACCESS=open: every application may; grants take effect when the mode is restricted)'}
            </span>
          </p>
          <table>
            <caption>Applications granted the Webhook agent</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token (SHA-256)</th>
                <th scope="col">Granted</th>
                <th scope="col">By</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {access.Grants.length === 0 && (
                <tr>
                  <td colSpan={5} class="hint">
                    No application is granted.
                  </td>
                </tr>
              )}
              {access.Grants.map((g) => (
                <tr key={g.AppTokenHash}>
                  <td>{g.Name}</td>
                  <td>
                    <code>{g.AppTokenHash.slice(0, 16)}…</code>
                  </td>
                  <td>
                    <Timestamp value={g.Granted} />
                  </td>
                  <td>associate {g.GrantedBy}</td>
                  <td>
                    <button type="button" class="secondary" onClick={() => void revoke(g)}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form onSubmit={(e) => void grant(e)}>
            <h3>Grant an application</h3>
            <label for="grant-token">SO-AppToken</label>
            <input
              id="grant-token"
              type="password"
              autocomplete="off"
              required
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
            <label for="grant-name">Name</label>
            <input id="grant-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit">Grant</button>
          </form>
        </>
      )}
    </section>
  );
}
