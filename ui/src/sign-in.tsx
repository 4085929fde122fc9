/** Sign-in with a hookd account: a ticket cookie (HttpOnly) and its XSRF token. */
import { useState } from 'preact/hooks';
import { ApiError, session, signIn } from './api.js';

export function SignIn({ tenant: initial, onSignedIn }: { tenant: string; onSignedIn: (tenant: string) => void }) {
  const [tenant, setTenant] = useState(initial);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <main>
      <h1>hookd dashboard</h1>
      <h2>Sign in</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            session.tenant = tenant.trim();
            await signIn(user, password);
            onSignedIn(session.tenant);
          } catch (err) {
            setError(err instanceof ApiError ? err.message : String(err));
          }
        }}
      >
        <label for="signin-tenant">
          Tenant <span class="hint">(empty: the default tenant)</span>
        </label>
        <input id="signin-tenant" value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} />
        <label for="user">User name</label>
        <input id="user" autocomplete="username" value={user} onInput={(e) => setUser(e.currentTarget.value)} required />
        <label for="password">Password</label>
        <input
          id="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
        {error && (
          <p class="notice bad" role="alert">
            {error}
          </p>
        )}
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </main>
  );
}
