/**
 * What every route answers, as TypeBox schemas: the OpenAPI document describes them (so typed clients can be
 * generated from it) and Fastify's serializer writes JSON answers with them, in the carriers' property order.
 * Carrier properties are nullable: `$select` nulls the ones not selected.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * Nullable as a JSON-Schema type list (`["string", "null"]`), valid in OpenAPI 3.1: Fastify's serializer writes
 * it directly, where an anyOf would make it validate each value to pick a branch.
 */
const N = <T extends TSchema>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [(schema as unknown as { type: string }).type, 'null'] });
const Dict = <T extends TSchema>(value: T, options?: { description: string }) => Type.Record(Type.String(), value, options);

export const ErrorEnvelope = Type.Object(
  {
    Error: Type.Boolean(),
    ErrorType: Type.String(),
    ErrorMessage: Type.String(),
    ErrorSource: Type.String(),
    ErrorCode: Type.String({ description: "hookd's stable, machine-readable code" }),
    Errors: Type.Optional(Type.Array(Type.Object({ Property: Type.String(), Rule: Type.String() }))),
  },
  { description: "NetServer's error envelope, with hookd's ErrorCode" },
);

/** Error answers every route may give. */
export const ERRORS = { '4xx': ErrorEnvelope, '5xx': ErrorEnvelope } as const;

const TableRight = Type.Object({ Mask: Type.String(), Reason: Type.String() });
const FieldProperty = Type.Object({
  FieldRight: Type.Object({ Mask: Type.String(), Reason: Type.String() }),
  FieldType: Type.String(),
  FieldLength: Type.Integer(),
});
const rights = { TableRight: N(TableRight), FieldProperties: N(Dict(FieldProperty)) };

export const AssociateCarrier = Type.Object({
  AssociateId: N(Type.Integer()),
  Name: N(Type.String()),
  PersonId: N(Type.Integer()),
  Rank: N(Type.Integer()),
  Tooltip: N(Type.String()),
  Type: N(Type.String()),
  GroupIdx: N(Type.Integer()),
  FullName: N(Type.String()),
  FormalName: N(Type.String()),
  Deleted: N(Type.Boolean()),
  EjUserId: N(Type.Integer()),
  UserName: N(Type.String()),
  ExtraFields: N(Dict(Type.String())),
  CustomFields: N(Dict(Type.String())),
  ...rights,
});

export const AssociateList = Type.Array(AssociateCarrier);

const MDOListItem = Type.Object({
  Id: N(Type.Integer()),
  Name: N(Type.String()),
  ToolTip: N(Type.String()),
  Deleted: N(Type.Boolean()),
  Rank: N(Type.Integer()),
  Type: N(Type.String()),
  ChildItems: N(Type.Array(Type.Unknown())),
  IconHint: N(Type.String()),
  ColorBlock: N(Type.Integer()),
  ExtraInfo: N(Type.String()),
  StyleHint: N(Type.String()),
  FullName: N(Type.String()),
});

/** hookd extension: GetAllWebhooks with `?Usage=true` adds these figures to each webhook (12.1's list columns). */
export const WebhookUsage = Type.Object(
  {
    Status: Type.String({ description: "12.1's badge: Active, ActiveWithFailures, Stopped or Disabled" }),
    LastDelivery: N(Type.String({ description: 'When the newest attempt started (UTC date-time); null: never attempted' })),
    LastOutcome: N(Type.String({ description: 'success, failure, gone, throttled or fault' })),
    LastStatusCode: N(Type.Integer()),
    LastStage: N(Type.String({ description: 'Where a failed attempt failed (connect, tls, timeout, response, …)' })),
    Failures24h: Type.Integer({ description: "Failed attempts (the receiver's failures) in the last 24 hours" }),
    ConsecutiveErrors: Type.Integer(),
    DisableAfter: Type.Integer({ description: 'Failures in a row that switch the webhook to TooManyErrors' }),
    PausedUntil: N(Type.String({ description: 'A Retry-After pause lasts until then (null: not paused)' })),
    WaitingFor: N(
      Type.Object(
        { DeliveryId: Type.Integer(), EventId: Type.String() },
        { description: 'Strict ordering: the failing delivery the others wait behind (null: the queue flows)' },
      ),
    ),
  },
  { description: "hookd extension: the webhook's last delivery and recent failures" },
);

const CertificateShown = Type.Object(
  { Subject: Type.String(), Fingerprint: Type.String({ description: 'SHA-256, colon-separated hex' }), Expires: Type.String() },
  { description: 'A certificate by subject, fingerprint and expiry (a client key is never shown)' },
);
const ReceiverAuthShown = Type.Object(
  {
    ClientCertificate: Type.Optional(CertificateShown),
    CaCertificates: Type.Optional(Type.Array(CertificateShown)),
    OAuth2: Type.Optional(
      Type.Object({
        TokenUrl: Type.String(),
        ClientId: Type.String(),
        Scope: Type.String(),
        Audience: Type.String(),
        Method: Type.String(),
      }),
    ),
    Basic: Type.Optional(Type.Object({ UserName: Type.String() })),
  },
  { description: 'hookd: receiver authentication, present only when set; the key, client secret and password are never shown' },
);

const webhookProperties = {
  WebhookId: N(Type.Integer()),
  Name: N(Type.String()),
  Events: N(Type.Array(Type.String())),
  TargetUrl: N(Type.String()),
  Secret: N(Type.String()),
  State: N(Type.String({ description: 'Unknown, Active, Stopped or TooManyErrors' })),
  Type: N(Type.String()),
  Headers: N(Dict(Type.String())),
  Properties: N(Dict(Type.Unknown())),
  Registered: N(Type.String({ description: 'UTC date-time' })),
  RegisteredAssociate: N(AssociateCarrier),
  Updated: N(Type.String({ description: 'UTC date-time' })),
  UpdatedAssociate: N(AssociateCarrier),
  ErrorsEmail: N(Type.String()),
  ErrorEmails: N(Type.Array(Type.String())),
  ErrorAssociates: N(Type.Array(MDOListItem)),
  Description: N(Type.String()),
  NotifyVia: N(Type.String({ description: 'Flags: None, Email, InApp (e.g. "Email, InApp")' })),
  NotifyWhen: N(Type.String({ description: 'Flags: None, FirstFailure, Disabling' })),
  TotalCalls: N(Type.Integer()),
  TotalErrors: N(Type.Integer()),
  ConsecutiveErrors: N(Type.Integer()),
  LastError: N(Type.String()),
  ...rights,
  UpdatedCount: Type.Optional(N(Type.Integer({ description: "hookd's optimistic-concurrency counter" }))),
  // hookd's delivery controls: present only when set.
  MaxPerSecond: Type.Optional(Type.Number({ description: 'Attempts a second at most, across all processes' })),
  Ordering: Type.Optional(Type.String({ description: "'Strict': one event at a time, in signal order" })),
  Filter: Type.Optional(Dict(Type.Unknown(), { description: 'A query over the payload; events that do not match are not queued' })),
  SecretRotation: Type.Optional(
    Type.Object(
      { PreviousSecretExpires: Type.String({ description: 'UTC date-time' }), Confirmed: Type.Boolean() },
      { description: 'A rotation overlaps: the previous secret still signs until PreviousSecretExpires' },
    ),
  ),
  ReceiverAuth: Type.Optional(ReceiverAuthShown),
  SendTraceContext: Type.Optional(
    Type.Boolean({ description: 'Deliveries carry a W3C traceparent in the trace of the SignalEvent request; shown only when true' }),
  ),
  Usage: Type.Optional(WebhookUsage),
};

/** The Webhook carrier (GetAllWebhooks, the agents, CreateDefaultWebhook). */
export const WebhookCarrier = Type.Object(webhookProperties, { description: 'The Webhook carrier' });
/** The Webhook carrier with `_Links` (REST answers naming one webhook). */
export const WebhookWithLinks = Type.Object(
  { ...webhookProperties, _Links: Type.Optional(Type.Object({ Self: Type.String(), Archive: Type.String() })) },
  { description: 'The Webhook carrier with _Links' },
);
export const WebhookList = Type.Array(WebhookCarrier);
export const WebhookResult = Type.Object({ Success: Type.Boolean(), Message: Type.String(), ...rights });

const Attempt = Type.Object({
  AttemptId: Type.Integer(),
  EventId: Type.String(),
  Retry: Type.Integer(),
  Started: Type.String(),
  DurationMs: Type.Integer(),
  StatusCode: N(Type.Integer()),
  Outcome: Type.String({ description: 'success, failure, gone, throttled (a Retry-After pause) or fault' }),
  Stage: N(Type.String()),
  Error: N(Type.String()),
});
export const DeliveryPage = Type.Object({
  Total: Type.Integer(),
  Top: Type.Integer(),
  Skip: Type.Integer(),
  BlockedBy: Type.Optional(
    Type.Union([Type.Object({ DeliveryId: Type.Integer(), EventId: Type.String(), Attempts: Type.Integer() }), Type.Null()], {
      description: 'Strict ordering only: the failing delivery the queue waits for (null: it flows)',
    }),
  ),
  SecretRotation: Type.Optional(
    Type.Object(
      { PreviousSecretExpires: Type.String(), Confirmed: Type.Boolean() },
      { description: 'A secret rotation overlaps: deliveries are signed with the new and the previous secret' },
    ),
  ),
  Items: Type.Array(
    Type.Object({
      DeliveryId: Type.Integer(),
      WebhookId: Type.Integer(),
      Event: Type.String(),
      PrimaryKey: Type.Integer(),
      EventId: Type.String(),
      TraceId: N(Type.String({ description: 'The W3C trace id (32 hex) the event was signalled in; null: none' })),
      Status: Type.String({ description: 'queued or delivered' }),
      Created: Type.String(),
      Finished: N(Type.String()),
      DueAt: N(Type.String()),
      Request: Type.Optional(
        Type.Object(
          { Headers: Dict(Type.String()), Body: Type.String() },
          { description: 'The request as hookd sends it (HTTP webhooks; signatures made with the current secrets)' },
        ),
      ),
      Attempts: Type.Array(Attempt),
    }),
  ),
});

export const WebhookStats = Type.Object({
  WebhookId: Type.Integer(),
  Since: Type.String(),
  Until: Type.String(),
  BucketSeconds: Type.Number(),
  Truncated: Type.Boolean(),
  Buckets: Type.Array(
    Type.Object({
      Start: Type.String(),
      Attempts: Type.Integer(),
      Successes: Type.Integer(),
      Failures: Type.Integer(),
      Throttled: Type.Integer({ description: '429/503 answers with Retry-After: the webhook paused, no error counted' }),
      FailuresByStatus: Dict(Type.Integer()),
      P50Ms: N(Type.Number()),
      P95Ms: N(Type.Number()),
    }),
  ),
});

export const JobCarrier = Type.Object({
  JobId: Type.Integer(),
  Kind: Type.String(),
  State: Type.String({ description: 'Queued, Running, Done or Failed' }),
  Total: Type.Integer(),
  Done: Type.Integer(),
  Created: Type.String(),
  Finished: N(Type.String()),
  Error: N(Type.String()),
  Since: Type.String(),
  Until: Type.String(),
  Status: Type.String(),
  Events: Type.Array(Type.String()),
  WebhookIds: N(Type.Array(Type.Integer())),
  _Links: Type.Object({ Self: Type.String() }),
});
export const RecoverCount = Type.Object({ DryRun: Type.Boolean(), Count: Type.Integer() });

const retentionDays = { DeliveryRetentionDays: N(Type.Integer()), EventRetentionDays: N(Type.Integer()) };
export const RetentionCarrier = Type.Object({
  ...retentionDays,
  Effective: Type.Object({ DeliveryRetentionDays: Type.Integer(), EventRetentionDays: Type.Integer() }),
});

export const TicketCarrier = Type.Object({ Ticket: Type.String(), Expires: Type.String(), XsrfToken: Type.String() });
export const PortalToken = Type.Object({
  Token: Type.String({ description: 'For Authorization: Portal <token>' }),
  Expires: Type.String(),
  Url: Type.String({ description: 'The portal page, opened with this token' }),
});
export const TokenList = Type.Array(Type.Object({ TokenId: Type.Integer(), Name: N(Type.String()), Created: Type.String() }));
export const TokenCreated = Type.Object({ TokenId: Type.Integer(), Name: N(Type.String()), Token: Type.String(), Created: Type.String() });
export const TenantCreated = Type.Object({
  ContextIdentifier: Type.String(),
  AssociateId: Type.Integer(),
  UserName: Type.String(),
  ApiBase: Type.String(),
});
export const NotificationList = Type.Array(
  Type.Object({
    NotificationId: Type.Integer(),
    WebhookId: Type.Integer(),
    Reason: Type.String(),
    Subject: Type.String(),
    Body: Type.String(),
    Created: Type.String(),
  }),
);
export const TimeZoneList = Type.Array(
  Type.Object({
    id: Type.Integer(),
    timeZone: Type.String(),
    country: Type.String(),
    region: Type.String(),
    offset: Type.String(),
    daylight: Type.String(),
    isActive: Type.Integer(),
    zone: Type.String({ description: "hookd's extension: the IANA zone" }),
  }),
);
export const FilterVerdict = Type.Object(
  {
    Matches: Type.Boolean(),
    Failed: Type.Array(
      Type.Object({ Condition: Dict(Type.Unknown()), Value: Type.Unknown({ description: "The payload's value at the condition's path" }) }),
      { description: 'For a miss: each top-level condition that did not match' },
    ),
  },
  { description: 'Whether the filter matches the sample payload' },
);

export const LastErrorText = Type.String({ description: 'The last error message from the target ("" when none)' });
export const NoContent = Type.Null({ description: 'No content' });
/** What an agent method answers: its carrier, a list, a result, a string, or null for a missing entity. */
export const AgentAnswer = Type.Union([WebhookCarrier, WebhookList, WebhookResult, Type.String(), Type.Null()]);

/** GET /Audit: one page of the audit log, newest first. */
export const AuditPage = Type.Object({
  Total: Type.Integer(),
  Top: Type.Integer(),
  Skip: Type.Integer(),
  Items: Type.Array(
    Type.Object({
      AuditId: Type.Integer(),
      At: Type.String({ description: 'UTC date-time' }),
      ActorKind: Type.String({ description: 'user, application (SO-AppToken) or portal' }),
      ActorId: Type.Integer({ description: 'AssociateId' }),
      Actor: Type.String({ description: 'The user name' }),
      Application: Type.String({ description: "The application's id (12 hex digits of its token's SHA-256), or ''" }),
      Address: Type.String({ description: "The client's address" }),
      Action: Type.String({ description: 'webhook.create, webhook.update, webhook.delete, webhook.secret-rotate, token.create, …' }),
      WebhookId: N(Type.Integer()),
      Changes: Dict(Type.Unknown(), { description: 'Set: the properties given; Values: the harmless ones; never a secret' }),
    }),
  ),
});
