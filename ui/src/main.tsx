/**
 * hookd's web pages: the administrators' dashboard at /ui and the customer portal at /portal (the same
 * pages; the portal is signed in by the token in its link and shows only that tenant's or application's
 * webhooks). Routes live in the URL's hash, so the server serves one page for all of them.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, session } from './api.js';
import { AppAccess } from './app-access.js';
import { Audit } from './audit.js';
import { SignIn } from './sign-in.js';
import { WebhookDetail } from './webhook-detail.js';
import { WebhookForm } from './webhook-form.js';
import { WebhookList } from './webhook-list.js';

const portal = location.pathname.startsWith('/portal');

function readPortalToken(): void {
  const match = /token=([^&]+)/.exec(location.hash);
  if (match) {
    session.portalToken = decodeURIComponent(match[1] as string);
    sessionStorage.setItem('hookd-portal-token', session.portalToken);
    // The token leaves the address bar (and the history) at once.
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  } else session.portalToken = sessionStorage.getItem('hookd-portal-token');
  session.tenant = new URLSearchParams(location.search).get('tenant') ?? '';
}

function useRoute(): string {
  const [hash, setHash] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setHash(location.hash.slice(1) || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  const [tenant, setTenant] = useState(session.tenant);
  const [tenantInput, setTenantInput] = useState(session.tenant);

  useEffect(() => {
    session.tenant = tenant;
    api('GET', '/Webhook?$select=WebhookId')
      .then(() => setSignedIn(true))
      .catch((e) => setSignedIn(e instanceof ApiError && e.status === 401 ? false : true));
  }, [tenant]);

  useEffect(() => {
    const title = route.startsWith('/webhooks/new')
      ? 'New webhook'
      : route.startsWith('/webhooks/')
        ? 'Webhook'
        : route.startsWith('/access')
          ? 'Application access'
          : route.startsWith('/audit')
            ? 'Audit log'
            : 'Webhooks';
    document.title = `${title} — hookd ${portal ? 'portal' : 'dashboard'}`;
  }, [route]);

  if (signedIn === null) return <main>Loading…</main>;
  if (!signedIn) {
    if (portal)
      return (
        <main>
          <h2>Portal</h2>
          <p class="notice bad" role="alert">
            This portal link is not valid (any more). Ask for a new one.
          </p>
        </main>
      );
    return (
      <SignIn
        tenant={tenant}
        onSignedIn={(t) => {
          setTenant(t);
          setTenantInput(t);
          setSignedIn(true);
        }}
      />
    );
  }

  const parts = route.split('/').filter(Boolean);
  let page;
  if (parts[0] === 'webhooks' && parts[1] === 'new') page = <WebhookForm id={null} portal={portal} />;
  else if (parts[0] === 'webhooks' && parts[1] && parts[2] === 'edit') page = <WebhookForm id={Number(parts[1])} portal={portal} />;
  else if (parts[0] === 'webhooks' && parts[1]) page = <WebhookDetail id={Number(parts[1])} portal={portal} />;
  else if (parts[0] === 'access' && !portal) page = <AppAccess />;
  else if (parts[0] === 'audit' && !portal) page = <Audit />;
  else page = <WebhookList />;

  return (
    <>
      <header class="top">
        <h1>hookd {portal ? 'portal' : 'dashboard'}</h1>
        <nav aria-label="Main">
          <a href="#/">Webhooks</a>
          <a href="#/webhooks/new">New webhook</a>
          {!portal && <a href="#/access">Application access</a>}
          {!portal && <a href="#/audit">Audit log</a>}
          {!portal && (
            <form
              class="row"
              onSubmit={(e) => {
                e.preventDefault();
                setTenant(tenantInput.trim());
                location.hash = '#/';
              }}
            >
              <label for="tenant" style="margin:0">
                Tenant <span class="hint">(empty: the default)</span>
              </label>
              <input id="tenant" value={tenantInput} onInput={(e) => setTenantInput(e.currentTarget.value)} size={12} />
              <button type="submit" class="secondary">
                Switch
              </button>
            </form>
          )}
        </nav>
      </header>
      <main key={`${tenant} ${route}`}>{page}</main>
    </>
  );
}

if (portal) readPortalToken();
render(<App />, document.getElementById('app') as HTMLElement);
