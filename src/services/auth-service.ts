/**
 * Authentication (post-webhook.md "Request Headers"): Basic with an associate's user name and password
 * (stored as a salted scrypt hash), Bearer API tokens and SoTicket session tickets (stored as SHA-256
 * hashes), and a ticket cookie with the X-XSRF-TOKEN header. The first associate administers every tenant.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { HookdError, invalidFields } from '../domain/errors.js';
import type { Associate, Tenant } from '../domain/webhook.js';
import type { Clock } from '../lib/clock.js';
import type { Credential } from '../domain/credential.js';
import type { Accounts } from '../store/accounts.js';
import { LoginLimiter } from './login-limiter.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
/** scrypt N=2^15: ~50 ms a check here, slow enough to make guessing costly (OWASP's minimum is 2^17 with r=8 p=1 for interactive logins; this is an API, so results are cached). */
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
/** Verified Basic credentials are remembered this long, so API clients that send Basic on every call stay fast. */
const BASIC_CACHE_MS = 60_000;
const BASIC_CACHE_MAX = 1000;
// Tokens and tickets: two queries a request otherwise (the credential, its associate). A revocation in this
// process drops the entry at once; one made by another process (PostgreSQL) is seen within 5 s.
const CREDENTIAL_CACHE_MS = 5_000;
const CREDENTIAL_CACHE_MAX = 10_000;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export interface Presented {
  /** The client's address, for failed-login limits. */
  clientIp: string;
  authorization: string | undefined;
  ticketCookie: string | undefined;
  xsrfCookie: string | undefined;
  xsrfHeader: string | undefined;
}

export class AuthService {
  private readonly basicCache = new Map<string, { associate: Associate; until: number }>();
  private readonly credentialCache = new Map<string, { associate: Associate; credentialId: number; until: number }>();

  private readonly limiter: LoginLimiter;

  constructor(private readonly deps: { accounts: Accounts; clock: Clock; ticketTtlMs: number; loginFailureLimit: number }) {
    this.limiter = new LoginLimiter(deps.loginFailureLimit, LOGIN_WINDOW_MS);
  }

  /** Creates the default tenant and, on first start, the administrator. Returns a generated password, if any. */
  async bootstrap(
    defaultTenant: string,
    adminUser: string,
    adminPassword: string,
  ): Promise<{ tenant: Tenant; generatedPassword: string | null }> {
    const { accounts, clock } = this.deps;
    const tenant = await accounts.ensureTenant(defaultTenant, clock.now());
    if ((await accounts.countAssociates()) > 0) return { tenant, generatedPassword: null };
    const password = adminPassword || randomBytes(12).toString('base64url');
    try {
      await accounts.createAssociate(
        tenant.id,
        { name: 'Administrator', userName: adminUser, passwordHash: await hashPassword(password), isAdmin: true },
        clock.now(),
      );
    } catch (e) {
      // Replicas started together on an empty database: another one created the administrator meanwhile.
      if ((await accounts.countAssociates()) > 0) return { tenant, generatedPassword: null };
      throw e;
    }
    return { tenant, generatedPassword: adminPassword ? null : password };
  }

  /** The associate behind the presented credentials, allowed to act in `tenant`; 401 otherwise. */
  /** The tenant a request path names, or null. */
  async findTenant(identifier: string): Promise<Tenant | null> {
    return this.deps.accounts.findTenant(identifier);
  }

  async authenticate(tenant: Tenant, defaultTenant: Tenant, presented: Presented): Promise<Associate> {
    const now = this.deps.clock.now();
    const userKey = basicUserKey(tenant, presented.authorization);
    const keys = this.limiter.keysFor(presented.clientIp, userKey);
    this.limiter.check(keys, now);
    try {
      const associate = await this.identify(tenant, defaultTenant, presented);
      if (associate.tenantId !== tenant.id && !associate.isAdmin) throw new HookdError('invalid_credentials');
      if (userKey) this.limiter.succeed(`user:${userKey}`);
      return associate;
    } catch (e) {
      if (e instanceof HookdError && e.code === 'invalid_credentials')
        this.limiter.fail(
          keys.map((k) => k.key),
          now,
        );
      throw e;
    }
  }

  private async identify(tenant: Tenant, defaultTenant: Tenant, p: Presented): Promise<Associate> {
    const header = p.authorization?.trim();
    if (header) {
      const space = header.indexOf(' ');
      const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
      const value = space < 0 ? '' : header.slice(space + 1).trim();
      if (scheme === 'basic') return this.basic(tenant, defaultTenant, value);
      if (scheme === 'bearer') return this.credential('bearer', value);
      if (scheme === 'soticket') return this.credential('ticket', value);
      throw new HookdError('unauthorized');
    }
    if (p.ticketCookie) {
      const cookie = Buffer.from(p.xsrfCookie ?? '');
      const sent = Buffer.from(p.xsrfHeader ?? '');
      if (cookie.length === 0 || cookie.length !== sent.length || !timingSafeEqual(cookie, sent))
        throw new HookdError('xsrf_token_invalid');
      return this.credential('ticket', p.ticketCookie);
    }
    throw new HookdError('unauthorized');
  }

  private async basic(tenant: Tenant, defaultTenant: Tenant, value: string): Promise<Associate> {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new HookdError('invalid_credentials');
    const userName = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const now = this.deps.clock.now();
    const cacheKey = tokenHash(`${tenant.id}\0${userName}\0${password}`);
    const cached = this.basicCache.get(cacheKey);
    if (cached && cached.until > now) return cached.associate;

    // A tenant's own users first; the installation's administrators (default tenant) may act everywhere.
    let login = await this.deps.accounts.findLogin(tenant.id, userName);
    if (!login && tenant.id !== defaultTenant.id) {
      const admin = await this.deps.accounts.findLogin(defaultTenant.id, userName);
      if (admin?.associate.isAdmin) login = admin;
    }
    // Hash even for unknown users, so timing does not tell which user names exist.
    const ok = await verifyPassword(password, login?.passwordHash ?? DUMMY_HASH);
    if (!login || !ok) throw new HookdError('invalid_credentials');
    if (this.basicCache.size >= BASIC_CACHE_MAX) this.basicCache.clear();
    this.basicCache.set(cacheKey, { associate: login.associate, until: now + BASIC_CACHE_MS });
    return login.associate;
  }

  private async credential(kind: 'bearer' | 'ticket', token: string): Promise<Associate> {
    if (!token) throw new HookdError('invalid_credentials');
    const now = this.deps.clock.now();
    const hash = tokenHash(token);
    const key = `${kind}:${hash}`;
    const cached = this.credentialCache.get(key);
    if (cached && cached.until > now) return cached.associate;
    const credential = await this.deps.accounts.findCredential(kind, hash, now);
    if (!credential) throw new HookdError('invalid_credentials');
    const [associate] = await this.deps.accounts.getAssociates([credential.associateId]);
    if (!associate) throw new HookdError('invalid_credentials');
    if (this.credentialCache.size >= CREDENTIAL_CACHE_MAX) this.credentialCache.clear();
    // Never past the credential's own expiry (tickets).
    const until = Math.min(now + CREDENTIAL_CACHE_MS, credential.expires ?? Number.POSITIVE_INFINITY);
    this.credentialCache.set(key, { associate, credentialId: credential.id, until });
    return associate;
  }

  async issueTicket(associate: Associate): Promise<{ ticket: string; expires: number; xsrf: string }> {
    const now = this.deps.clock.now();
    const ticket = newToken('7T');
    const expires = now + this.deps.ticketTtlMs;
    await this.deps.accounts.createCredential({
      kind: 'ticket',
      tokenHash: tokenHash(ticket),
      associateId: associate.id,
      name: null,
      now,
      expires,
    });
    return { ticket, expires, xsrf: randomBytes(18).toString('base64url') };
  }

  /**
   * A customer-portal token: short-lived (at most a day), stored as a hash like tickets, scoped to the
   * caller's tenant and application (SO-AppToken) — its holder sees those webhooks and nothing else.
   */
  async issuePortalToken(
    associate: Associate,
    scope: { tenantId: number; appToken: string | null },
    ttlMs: number,
  ): Promise<{ token: string; expires: number }> {
    const now = this.deps.clock.now();
    const token = newToken('ptl');
    const expires = now + ttlMs;
    await this.deps.accounts.createCredential({
      kind: 'portal',
      tokenHash: tokenHash(token),
      associateId: associate.id,
      name: JSON.stringify(scope),
      now,
      expires,
    });
    return { token, expires };
  }

  /**
   * `Authorization: Portal <token>`: the associate (never as administrator) and the application the token is
   * scoped to; 401 when it is unknown, expired, tampered with, or presented at another tenant's path.
   */
  async portal(tenant: Tenant, token: string): Promise<{ associate: Associate; appToken: string | null }> {
    const now = this.deps.clock.now();
    const credential = token ? await this.deps.accounts.findCredential('portal', tokenHash(token), now) : null;
    if (!credential) throw new HookdError('invalid_credentials');
    const scope = JSON.parse(credential.name ?? '{}') as { tenantId?: number; appToken?: string | null };
    if (scope.tenantId !== tenant.id) throw new HookdError('invalid_credentials');
    const [associate] = await this.deps.accounts.getAssociates([credential.associateId]);
    if (!associate) throw new HookdError('invalid_credentials');
    return { associate: { ...associate, isAdmin: false, tenantId: tenant.id }, appToken: scope.appToken ?? null };
  }

  async createToken(associate: Associate, name: string | null): Promise<{ token: string; credential: Credential }> {
    const token = newToken('hkd');
    const credential = await this.deps.accounts.createCredential({
      kind: 'bearer',
      tokenHash: tokenHash(token),
      associateId: associate.id,
      name,
      now: this.deps.clock.now(),
      expires: null,
    });
    return { token, credential };
  }

  async listTokens(associate: Associate): Promise<Credential[]> {
    return this.deps.accounts.listCredentials(associate.id, 'bearer');
  }

  async revokeToken(associate: Associate, id: number): Promise<void> {
    if (!(await this.deps.accounts.revokeCredential(associate.id, id, this.deps.clock.now()))) {
      throw new HookdError('not_found', { entity: 'Token', id });
    }
    for (const [key, entry] of this.credentialCache) if (entry.credentialId === id) this.credentialCache.delete(key);
  }

  /** POST /api/v1/Associate: the administrator adds an associate (user) to a tenant; an e-mail address is optional. */
  async createAssociate(caller: Associate, tenant: Tenant, b: { UserName?: unknown; Password?: unknown; Name?: unknown; Email?: unknown }) {
    if (!caller.isAdmin) throw new HookdError('forbidden', { action: 'create associates (only the administrator may)' });
    const errors = associateProblems(b.UserName, b.Password, b.Email);
    if (errors.length > 0) throw invalidFields(errors);
    if (await this.deps.accounts.findLogin(tenant.id, b.UserName as string)) {
      throw invalidFields([{ property: 'UserName', rule: `'${String(b.UserName)}' is taken in this tenant` }]);
    }
    return this.deps.accounts.createAssociate(
      tenant.id,
      {
        name: typeof b.Name === 'string' && b.Name ? b.Name : (b.UserName as string),
        userName: b.UserName as string,
        passwordHash: await hashPassword(b.Password as string),
        isAdmin: false,
        email: typeof b.Email === 'string' && b.Email !== '' ? b.Email : null,
      },
      this.deps.clock.now(),
    );
  }

  /** An associate of the caller's tenant, or 404. */
  /** The tenant's associates (GET /Associate): whom ErrorAssociates may name. */
  async listAssociates(tenant: Tenant): Promise<Associate[]> {
    return this.deps.accounts.listAssociates(tenant.id);
  }

  async getAssociate(tenant: Tenant, id: number): Promise<Associate> {
    const found = (await this.deps.accounts.getAssociates([id])).find((a) => a.tenantId === tenant.id);
    if (!found) throw new HookdError('not_found', { entity: 'Associate', id });
    return found;
  }

  /** POST /api/v1/Tenant: an administrator creates a tenant with its first associate. */
  async createTenant(caller: Associate, identifier: unknown, userName: unknown, password: unknown, name: unknown, email?: unknown) {
    if (!caller.isAdmin) throw new HookdError('forbidden', { action: 'create tenants (only the administrator may)' });
    const errors: Array<{ property: string; rule: string }> = [];
    if (typeof identifier !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(identifier)) {
      errors.push({ property: 'ContextIdentifier', rule: 'must be 1 to 64 letters, digits, - or _ (it becomes part of the URL)' });
    } else if (identifier.toLowerCase() === 'api') errors.push({ property: 'ContextIdentifier', rule: "may not be 'api'" });
    errors.push(...associateProblems(userName, password, email));
    if (errors.length > 0) throw invalidFields(errors);
    if (await this.deps.accounts.findTenant(identifier as string)) throw new HookdError('tenant_exists', { tenant: identifier as string });
    return this.deps.accounts.createTenant(
      identifier as string,
      {
        name: typeof name === 'string' && name ? name : (userName as string),
        userName: userName as string,
        passwordHash: await hashPassword(password as string),
        email: typeof email === 'string' && email !== '' ? email : null,
      },
      this.deps.clock.now(),
    );
  }
}

function associateProblems(userName: unknown, password: unknown, email: unknown): Array<{ property: string; rule: string }> {
  const errors: Array<{ property: string; rule: string }> = [];
  if (typeof userName !== 'string' || userName.length === 0 || userName.length > 100) {
    errors.push({ property: 'UserName', rule: 'is required (at most 100 characters)' });
  }
  if (typeof password !== 'string' || password.length < 8) errors.push({ property: 'Password', rule: 'must have at least 8 characters' });
  if (email !== undefined && email !== null && email !== '' && (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) {
    errors.push({ property: 'Email', rule: 'is not an e-mail address' });
  }
  return errors;
}

/** The window failed logins are counted in (OWASP suggests minutes, not seconds). */
const LOGIN_WINDOW_MS = 15 * 60_000;

/** `tenant:username` of a Basic header, for counting that user's failures; null for other schemes. */
function basicUserKey(tenant: Tenant, authorization: string | undefined): string | null {
  const m = /^\s*basic\s+(\S+)/i.exec(authorization ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : `${tenant.id}:${decoded.slice(0, colon).toLowerCase()}`;
}

/** A valid hash of a random password, checked when the user does not exist. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;
