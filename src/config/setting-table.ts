/**
 * Every setting of hookd, declared once: environment name, type, default and one sentence (README's Configuration
 * table is checked against it). settings.ts reads and checks them.
 */

export type Kind = 'string' | 'int' | 'bool' | 'list';

export interface Setting<K extends Kind> {
  env: string;
  kind: K;
  default: K extends 'int' ? number : K extends 'bool' ? boolean : K extends 'list' ? string[] : string;
  doc: string;
  secret?: boolean;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Standard variables read when `env` is unset (the egress proxy: HTTPS_PROXY, https_proxy, …). */
  fallback?: readonly string[];
}

function s<K extends Kind>(setting: Setting<K>): Setting<K> {
  return setting;
}

export const SETTINGS = {
  port: s({ env: 'PORT', kind: 'int', default: 8080, min: 0, doc: 'TCP port the HTTP API listens on.' }),
  host: s({ env: 'HOST', kind: 'string', default: '127.0.0.1', doc: 'Address the HTTP API binds to.' }),
  trustProxy: s({
    env: 'HOOKD_TRUST_PROXY',
    kind: 'list',
    default: [],
    doc: "Reverse proxies (addresses or CIDR networks, comma-separated; or loopback, linklocal, uniquelocal) whose X-Forwarded-For, -Proto and -Host are believed; empty: nobody's.",
  }),
  publicUrl: s({
    env: 'HOOKD_PUBLIC_URL',
    kind: 'string',
    default: '',
    doc: "Where clients reach hookd (e.g. https://hooks.example.com): every link hookd builds starts with it; empty: links are relative (the request's Host only with --dev).",
  }),
  tlsCert: s({
    env: 'HOOKD_TLS_CERT',
    kind: 'string',
    default: '',
    doc: 'PEM certificate (chain) file: with HOOKD_TLS_KEY, hookd serves https itself and its cookies are Secure.',
  }),
  tlsKey: s({ env: 'HOOKD_TLS_KEY', kind: 'string', default: '', doc: 'PEM private key file of HOOKD_TLS_CERT.' }),
  dataDir: s({ env: 'HOOKD_DATA_DIR', kind: 'string', default: './data', doc: 'Folder of the embedded SQLite database.' }),
  databaseUrl: s({
    env: 'HOOKD_DATABASE_URL',
    kind: 'string',
    default: '',
    secret: true,
    doc: 'postgres://… to use PostgreSQL; empty for the embedded SQLite store.',
  }),
  adminUser: s({
    env: 'HOOKD_ADMIN_USER',
    kind: 'string',
    default: 'admin',
    doc: 'User name of the first associate, created on first start.',
  }),
  adminPassword: s({
    env: 'HOOKD_ADMIN_PASSWORD',
    kind: 'string',
    default: '',
    secret: true,
    doc: 'Password of the first associate; when empty a random one is generated and printed once.',
  }),
  defaultTenant: s({
    env: 'HOOKD_DEFAULT_TENANT',
    kind: 'string',
    default: 'Default',
    doc: 'ContextIdentifier of the tenant served at /api/v1.',
  }),
  allowPrivateTargets: s({
    env: 'HOOKD_ALLOW_PRIVATE_TARGETS',
    kind: 'bool',
    default: false,
    doc: 'Development switch: allow http targets and loopback/private addresses.',
  }),
  allowedNetworks: s({
    env: 'HOOKD_ALLOWED_NETWORKS',
    kind: 'list',
    default: [],
    doc: 'Networks (CIDR, comma-separated, e.g. 10.20.0.0/16) that targets may resolve to although they are private.',
  }),
  httpsProxy: s({
    env: 'HOOKD_HTTPS_PROXY',
    kind: 'string',
    default: '',
    secret: true,
    fallback: ['HTTPS_PROXY', 'https_proxy'],
    doc: 'Forward proxy (http://host:port) for deliveries to https receivers and OAuth2 token URLs; unset: HTTPS_PROXY, then direct.',
  }),
  httpProxy: s({
    env: 'HOOKD_HTTP_PROXY',
    kind: 'string',
    default: '',
    secret: true,
    fallback: ['HTTP_PROXY', 'http_proxy'],
    doc: 'Forward proxy for http receivers, and https ones when no https proxy is set; unset: HTTP_PROXY, then direct.',
  }),
  noProxy: s({
    env: 'HOOKD_NO_PROXY',
    kind: 'string',
    default: '',
    fallback: ['NO_PROXY', 'no_proxy'],
    doc: 'Hosts reached directly although a proxy is set (comma-separated; .example.com matches subdomains; * all); unset: NO_PROXY.',
  }),
  encryptionKey: s({
    env: 'HOOKD_ENCRYPTION_KEY',
    kind: 'string',
    default: '',
    secret: true,
    doc: 'Key that encrypts webhook secrets at rest: 32 bytes as base64 or hex; when empty, the key of HOOKD_ENCRYPTION_KEY_FILE.',
  }),
  encryptionKeyFile: s({
    env: 'HOOKD_ENCRYPTION_KEY_FILE',
    kind: 'string',
    default: '',
    doc: 'File holding the key when HOOKD_ENCRYPTION_KEY is empty, generated (mode 0600) on first start; empty: encryption.key beside the SQLite data (PostgreSQL: no file unless named).',
  }),
  previousEncryptionKeys: s({
    env: 'HOOKD_PREVIOUS_ENCRYPTION_KEYS',
    kind: 'list',
    default: [],
    secret: true,
    doc: 'Earlier keys (comma-separated) whose secrets are re-encrypted with HOOKD_ENCRYPTION_KEY at start: key rotation.',
  }),
  rateLimitPerMinute: s({
    env: 'HOOKD_RATE_LIMIT_PER_MINUTE',
    kind: 'int',
    default: 60000,
    min: 0,
    doc: 'API requests one caller (tenant, user and SO-AppToken; the address where no one is logged in) may make a minute; 0 = no limit.',
  }),
  appAccess: s({
    env: 'HOOKD_APP_ACCESS',
    kind: 'string',
    default: 'open',
    choices: ['open', 'restricted'],
    doc: "NetServer's Online Restricted: 'restricted' lets an application (SO-AppToken) use the Webhook routes only once the administrator granted it (POST /api/v1/AppAccess).",
  }),
  scriptsDir: s({
    env: 'HOOKD_SCRIPTS_DIR',
    kind: 'string',
    default: '',
    doc: 'Folder of crmscript handlers (hookd serve --scripts): one ES module per script, named by its file (ScriptHook1.mjs), its default export the handler.',
  }),
  scriptTimeoutMs: s({
    env: 'HOOKD_SCRIPT_TIMEOUT_MS',
    kind: 'int',
    default: 10000,
    min: 1,
    doc: "Time one call of a scripts-folder crmscript may take; past it the call is a failed attempt (stage timeout) and the script's worker is restarted.",
  }),
  savePing: s({
    env: 'HOOKD_SAVE_PING',
    kind: 'bool',
    default: true,
    doc: 'Send the test event to TargetUrl on create and URL change, and refuse the save unless it answers 2xx.',
  }),
  attemptTimeoutMs: s({ env: 'HOOKD_ATTEMPT_TIMEOUT_MS', kind: 'int', default: 10000, min: 1, doc: 'Time one delivery attempt may take.' }),
  retryDelaysMs: s({
    env: 'HOOKD_RETRY_DELAYS_MS',
    kind: 'list',
    default: ['1000', '4000'],
    doc: 'Waits between the attempts of one cycle (NetServer: 1 s, 4 s: three attempts).',
  }),
  maxConsecutiveErrors: s({
    env: 'HOOKD_MAX_CONSECUTIVE_ERRORS',
    kind: 'int',
    default: 9,
    min: 1,
    doc: 'Consecutive failed attempts that switch a webhook to TooManyErrors.',
  }),
  maxInFlightPerWebhook: s({
    env: 'HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK',
    kind: 'int',
    default: 64,
    min: 1,
    doc: 'Requests one webhook may have in flight at once. A webhook starts at 16 (or this, if lower) and earns the rest by answering quickly; a slow answer or a failure brings it back, so a receiver that hangs holds at most 16 slots.',
  }),
  maxInFlight: s({ env: 'HOOKD_MAX_IN_FLIGHT', kind: 'int', default: 512, min: 1, doc: 'Requests in flight at once in this process.' }),
  pollIntervalMs: s({
    env: 'HOOKD_POLL_INTERVAL_MS',
    kind: 'int',
    default: 1000,
    min: 10,
    doc: 'How often workers look for due work when nothing woke them.',
  }),
  responseBodyCapBytes: s({
    env: 'HOOKD_RESPONSE_BODY_CAP_BYTES',
    kind: 'int',
    default: 65536,
    min: 0,
    doc: "Bytes of a receiver's answer that are read (the rest is discarded).",
  }),
  retentionDays: s({
    env: 'HOOKD_DELIVERY_RETENTION_DAYS',
    kind: 'int',
    default: 30,
    min: 0,
    doc: 'Days delivered events and their attempts stay in the delivery log (0 keeps them forever); a tenant may have its own.',
  }),
  idempotencyHours: s({
    env: 'HOOKD_IDEMPOTENCY_HOURS',
    kind: 'int',
    default: 24,
    min: 1,
    doc: 'How long an Idempotency-Key of SignalEvent or the batch route is remembered (a repeat within it queues nothing).',
  }),
  portalFrameAncestors: s({
    env: 'HOOKD_PORTAL_FRAME_ANCESTORS',
    kind: 'list',
    default: [],
    doc: 'Origins that may embed the customer portal (/portal) in a frame, e.g. https://app.example.com; empty: none (CSP frame-ancestors).',
  }),
  retryAfter: s({
    env: 'HOOKD_RETRY_AFTER',
    kind: 'string',
    default: 'on',
    choices: ['on', 'off'],
    doc: "A 429 or 503 with Retry-After pauses that webhook and repeats the attempt, counting no error; 'off' treats it as NetServer does (a failure).",
  }),
  retryAfterMaxSeconds: s({
    env: 'HOOKD_RETRY_AFTER_MAX_SECONDS',
    kind: 'int',
    default: 3600,
    min: 1,
    doc: 'The longest pause a Retry-After answer can ask for; longer ones are cut to it.',
  }),
  // One hour: a receiver may ask for one longest pause (3600 s above) and ride out a maintenance window; one still
  // throttling an hour on is failing. A plain 503 is switched off within ~10 s (9 failures), so an hour is
  // generous, and its queued events stay queued for when it is set back to Active.
  // One running job per tenant: jobs of one tenant run one after another, and every tenant's running job gets a
  // turn (a batch) in rotation, so one tenant's many jobs never starve another's one.
  recoverRunningPerTenant: s({
    env: 'HOOKD_RECOVER_RUNNING_PER_TENANT',
    kind: 'int',
    default: 1,
    min: 1,
    doc: 'Recover jobs of one tenant that run at once (taking turns with other tenants); the rest wait queued.',
  }),
  // Four waiting: a tenant-wide recover and a few per-webhook ones after an outage. Each job may send the whole
  // stretch once more, so this bounds what a tenant can pile up (40 jobs made ~200,000 sends over 5,000 deliveries).
  recoverQueuedPerTenant: s({
    env: 'HOOKD_RECOVER_QUEUED_PER_TENANT',
    kind: 'int',
    default: 4,
    min: 0,
    doc: 'Recover jobs of one tenant that may wait behind its running ones; a recover beyond them is refused with 429 (recover_jobs_limit).',
  }),
  retryAfterMaxThrottledSeconds: s({
    env: 'HOOKD_RETRY_AFTER_MAX_THROTTLED_SECONDS',
    kind: 'int',
    default: 3600,
    min: 1,
    doc: 'How long a webhook may answer Retry-After without a success before each such answer counts as a failed attempt (toward TooManyErrors).',
  }),
  eventRetentionDays: s({
    env: 'HOOKD_EVENT_RETENTION_DAYS',
    kind: 'int',
    default: 30,
    min: 0,
    doc: 'Days event payloads are kept once no delivery needs them (0 keeps them forever); a tenant may have its own.',
  }),
  bodyLimitBytes: s({
    env: 'HOOKD_BODY_LIMIT_BYTES',
    kind: 'int',
    default: 1048576,
    min: 1024,
    doc: 'Largest request body the API accepts.',
  }),
  ticketTtlMinutes: s({ env: 'HOOKD_TICKET_TTL_MINUTES', kind: 'int', default: 480, min: 1, doc: 'Lifetime of a SoTicket session.' }),
  loginFailureLimit: s({
    env: 'HOOKD_LOGIN_FAILURE_LIMIT',
    kind: 'int',
    default: 10,
    min: 0,
    doc: 'Failed logins of one user name in 15 minutes before it is refused with 429 (five times that for one address; 0 = no limit).',
  }),
  shutdownTimeoutMs: s({
    env: 'HOOKD_SHUTDOWN_TIMEOUT_MS',
    kind: 'int',
    default: 10000,
    min: 0,
    doc: 'Time in-flight deliveries get to finish on SIGTERM.',
  }),
  signatureSchemes: s({
    env: 'HOOKD_SIGNATURE_SCHEMES',
    kind: 'list',
    default: ['netserver'],
    doc: 'Signatures sent when a webhook has a Secret: netserver (X-SuperOffice-Signature), standard (Standard Webhooks), or both.',
  }),
  smtpUrl: s({
    env: 'HOOKD_SMTP_URL',
    kind: 'string',
    default: '',
    secret: true,
    doc: 'smtp://user:password@host:port to send ErrorsEmail notifications; empty keeps them only in the store.',
  }),
  smtpFrom: s({ env: 'HOOKD_SMTP_FROM', kind: 'string', default: 'hookd@localhost', doc: 'Sender address of ErrorsEmail notifications.' }),
  logLevel: s({
    env: 'HOOKD_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    doc: 'Log level.',
  }),
  heapGrowingPercent: s({
    env: 'HOOKD_HEAP_GROWING_PERCENT',
    kind: 'int',
    default: 100,
    min: 0,
    max: 300,
    doc: "How far `hookd serve` lets V8's heap grow past what its last full collection kept, in percent, before the next one (0: V8's own choice, up to 300).",
  }),
  metricsToken: s({
    env: 'HOOKD_METRICS_TOKEN',
    kind: 'string',
    default: '',
    secret: true,
    doc: 'Bearer token GET /metrics requires; empty: /metrics answers only the networks of HOOKD_METRICS_ALLOW.',
  }),
  metricsAllow: s({
    env: 'HOOKD_METRICS_ALLOW',
    kind: 'list',
    default: ['127.0.0.0/8', '::1/128'],
    doc: 'Networks (CIDR, comma-separated) that may read GET /metrics without a token.',
  }),
  metricsWebhookLabels: s({
    env: 'HOOKD_METRICS_WEBHOOK_LABELS',
    kind: 'int',
    default: 0,
    min: 0,
    doc: 'How many webhooks get their own label in hookd_webhook_attempts_total (0: none; more count as "other").',
  }),
  logFormat: s({
    env: 'HOOKD_LOG_FORMAT',
    kind: 'string',
    default: 'auto',
    choices: ['auto', 'json', 'pretty'],
    doc: 'Log lines: JSON, pretty and coloured, or auto (pretty when stdout is a terminal, JSON otherwise).',
  }),
  tracesExporter: s({
    env: 'OTEL_TRACES_EXPORTER',
    kind: 'string',
    default: '',
    choices: ['otlp', 'none'],
    doc: "OpenTelemetry traces: 'otlp' sends them over OTLP/HTTP; 'none' or empty (the default, unless an OTLP endpoint is set) sends none.",
  }),
  otlpEndpoint: s({
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    kind: 'string',
    default: '',
    doc: 'OTLP/HTTP collector (e.g. http://127.0.0.1:4318): traces go to its /v1/traces; setting it turns traces on.',
  }),
  otlpTracesEndpoint: s({
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    kind: 'string',
    default: '',
    doc: 'The full URL traces go to, instead of OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces.',
  }),
  serviceName: s({ env: 'OTEL_SERVICE_NAME', kind: 'string', default: 'hookd', doc: "The service.name of hookd's spans." }),
  role: s({
    env: 'HOOKD_ROLE',
    kind: 'string',
    default: 'both',
    choices: ['api', 'worker', 'both'],
    doc: 'What this process does: serve the API, deliver, or both.',
  }),
};
