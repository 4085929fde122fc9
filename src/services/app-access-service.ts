/**
 * "Online Restricted" (domain/app-access.ts): refuses an application the Webhook routes until an administrator
 * granted it, when HOOKD_APP_ACCESS=restricted; keeps the grants. Lookups are cached for 5 s, as API tokens are:
 * a grant or revocation takes effect at once in the process that made it, within 5 s in other processes.
 */
import { type AppAccessMode, type AppGrant, appTokenHash, isWebhookAgentRoute, refusesApp } from '../domain/app-access.js';
import { HookdError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import type { AppGrants } from '../store/app-grants.js';
import type { Caller } from './caller.js';

const CACHE_MS = 5_000;
/** Distinct applications remembered at once; past it the cache starts over (a flood of made-up tokens costs lookups, not memory). */
const CACHE_MAX = 10_000;
/** request-context.ts keeps the first 200 characters of SO-AppToken (NetServer's application_token column is 200). */
export const MAX_APP_TOKEN = 200;
const MAX_NAME = 200;

export interface AppAccessDeps {
  /** The grants' port: the only part of the store this service uses. */
  appGrants: AppGrants;
  clock: Clock;
  mode: AppAccessMode;
}

export class AppAccessService {
  private readonly cache = new Map<string, { granted: boolean; until: number }>();

  constructor(private readonly deps: AppAccessDeps) {}

  get mode(): AppAccessMode {
    return this.deps.mode;
  }

  /** Throws NetServer's refusal when the caller is an application without a grant and `route` is the Webhook agent's. */
  async check(caller: Caller, route: string): Promise<void> {
    // Open mode, people and routes outside the agent cost no hash and no lookup.
    if (this.deps.mode !== 'restricted' || caller.appToken === null || !isWebhookAgentRoute(route)) return;
    const hash = appTokenHash(caller.appToken);
    if (refusesApp(this.deps.mode, route, caller.appToken, await this.granted(hash))) throw new HookdError('app_not_granted');
  }

  private async granted(hash: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.granted;
    const granted = (await this.deps.appGrants.findAppGrant(hash)) !== null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { granted, until: now + CACHE_MS });
    return granted;
  }

  private admin(caller: Caller, action: string): void {
    if (!caller.associate.isAdmin || caller.portal) throw new HookdError('forbidden', { action: `${action} (only the administrator may)` });
  }

  /** Every grant; administrator only. */
  async list(caller: Caller): Promise<AppGrant[]> {
    this.admin(caller, 'read application grants');
    return this.deps.appGrants.listAppGrants();
  }

  /** Grants the application presenting `appToken` (as SO-AppToken); administrator only. */
  async grant(caller: Caller, appToken: unknown, name: unknown): Promise<AppGrant> {
    this.admin(caller, 'grant applications access');
    if (typeof appToken !== 'string' || appToken.trim() === '' || appToken.length > MAX_APP_TOKEN) {
      throw new HookdError('invalid_field', {
        property: 'AppToken',
        rule: `is required: the application's SO-AppToken, 1 to ${MAX_APP_TOKEN} characters`,
      });
    }
    if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > MAX_NAME)) {
      throw new HookdError('invalid_field', { property: 'Name', rule: `must be a string of at most ${MAX_NAME} characters` });
    }
    const grant: AppGrant = {
      tokenHash: appTokenHash(appToken),
      name: typeof name === 'string' ? name : '',
      granted: this.deps.clock.now(),
      grantedBy: caller.associate.id,
    };
    await this.deps.appGrants.putAppGrant(grant);
    this.cache.delete(grant.tokenHash);
    return grant;
  }

  /** Takes a grant back by its token's hash; administrator only; 404 when there is none. */
  async revoke(caller: Caller, tokenHash: string): Promise<void> {
    this.admin(caller, 'revoke application grants');
    const hash = tokenHash.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      throw new HookdError('invalid_parameter', { name: 'AppTokenHash', rule: 'must be the 64 hex digits of a grant' });
    }
    const removed = await this.deps.appGrants.deleteAppGrant(hash);
    this.cache.delete(hash);
    if (!removed) throw new HookdError('not_found', { entity: 'AppAccess', id: hash });
  }
}
