/** The CLI's HTTP client for a running hookd: URL and credentials from flags or HOOKD_URL / HOOKD_USER / HOOKD_PASSWORD. */

export interface ConnectionOptions {
  url?: string;
  user?: string;
  password?: string;
  token?: string;
}

/** A failure the CLI reports in one sentence and a non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class HookdClient {
  readonly base: string;
  private readonly auth: string | null;
  /** Headers of the last answer (SignalEvent reports its queued deliveries in X-Hookd-Deliveries). */
  lastHeaders: Headers = new Headers();

  constructor(options: ConnectionOptions, env: Record<string, string | undefined> = process.env) {
    // An empty variable counts as unset.
    this.base = (options.url || env.HOOKD_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
    const token = options.token || env.HOOKD_TOKEN;
    const user = options.user || env.HOOKD_USER || 'admin';
    const password = options.password ?? (env.HOOKD_PASSWORD || undefined);
    if (token) this.auth = `Bearer ${token}`;
    else if (password !== undefined) this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    else this.auth = null;
  }

  /** Calls the API; resolves with the parsed answer (null for 204), or throws a CliError naming what went wrong. */
  async call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.auth) headers.Authorization = this.auth;
    if (body !== undefined) headers['Content-Type'] = contentType;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      // fetch wraps the socket error, sometimes in an AggregateError (one per address tried).
      const cause = (e as { cause?: { code?: string; errors?: Array<{ code?: string }> } }).cause;
      const code = cause?.code ?? cause?.errors?.[0]?.code ?? (cause as { message?: string } | undefined)?.message ?? (e as Error).message;
      throw new CliError(`cannot reach hookd at ${this.base} (${code}); is the server running? Set --url or HOOKD_URL.`);
    }
    this.lastHeaders = res.headers;
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (res.status >= 400) {
      const message =
        json && typeof json === 'object' && json.ErrorMessage ? `${json.ErrorMessage} (${json.ErrorCode})` : `HTTP ${res.status} ${text}`;
      const hint = res.status === 401 ? ' Pass --user/--password (or HOOKD_USER/HOOKD_PASSWORD).' : '';
      throw new CliError(`${method} ${path} failed: ${message}${hint}`);
    }
    return json;
  }
}
