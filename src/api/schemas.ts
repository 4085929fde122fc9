/**
 * Request schemas: Fastify validates params, query strings and bodies with them, and the OpenAPI document
 * at /api/v1/openapi.json is generated from the same objects. The domain validator then applies the
 * rules no schema states (event-name forms, reserved headers, target checks) with sentences a person reads.
 */
import { Type } from '@sinclair/typebox';

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
/** XML and form bodies carry every scalar as text, so numbers are accepted as digits too. */
const int32ish = Type.Union([Type.Integer(), Type.String({ pattern: '^-?\\d{1,10}$' })]);

export const IdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,10}$', description: 'Webhook id' }) });
export const TokenIdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,15}$', description: 'Token id' }) });
export const DeliveryParams = Type.Object({
  id: Type.String({ pattern: '^\\d{1,10}$' }),
  deliveryId: Type.String({ pattern: '^\\d{1,15}$' }),
});
export const SignalParams = Type.Object({
  eventName: Type.String({
    description: "Event to fire: 'entity.verb' from the catalogue, or a custom name (1–255 printable ASCII characters, no '*')",
  }),
  primaryKey: Type.String({ pattern: '^-?\\d{1,10}$', description: 'Id of the affected row; 0 when not used' }),
});

export const SelectQuery = Type.Object({
  $select: Type.Optional(Type.String({ description: 'Comma separated properties to include; the others are nulled' })),
});
/** GetWebhook's query: `$select`, and `Usage=true` for the list's figures (hookd extension). */
export const GetQuery = Type.Object({
  ...SelectQuery.properties,
  Usage: Type.Optional(Type.String({ description: "hookd extension: true adds the webhook's Usage (last delivery, failures in 24 h)" })),
});
export const ListQuery = Type.Object({
  nameFilter: Type.Optional(Type.String()),
  eventFilter: Type.Optional(Type.String()),
  statusFilter: Type.Optional(Type.String({ description: 'Unknown (no filter), Active, Stopped or TooManyErrors' })),
  Usage: Type.Optional(Type.String({ description: "hookd extension: true adds each webhook's Usage (last delivery, failures in 24 h)" })),
  $select: Type.Optional(Type.String({ description: 'Comma separated properties to include; the others are nulled' })),
});
export const PageQuery = Type.Object({
  $top: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })),
  $skip: Type.Optional(Type.String({ pattern: '^\\d{1,9}$' })),
});
/** The delivery log's query: a page, or `Format=csv` for the whole log as CSV (hookd extension). */
export const DeliveriesQuery = Type.Object({
  ...PageQuery.properties,
  Format: Type.Optional(Type.String({ description: 'csv: the whole log as text/csv (one line per delivery); otherwise JSON or XML' })),
});

export const WebhookBody = Type.Object(
  {
    WebhookId: Type.Optional(Type.Union([int32ish, Type.Null()])),
    Name: Type.Optional(nullable(Type.String())),
    Events: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String(), Type.Null()])),
    TargetUrl: Type.Optional(nullable(Type.String())),
    Secret: Type.Optional(nullable(Type.String())),
    State: Type.Optional(Type.Union([Type.String(), Type.Integer(), Type.Null()])),
    Type: Type.Optional(nullable(Type.String())),
    Headers: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Any()), Type.Null()])),
    Properties: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Any()), Type.Null()])),
    ErrorsEmail: Type.Optional(nullable(Type.String({ description: 'Obsolete form of ErrorEmails: addresses separated by commas' }))),
    ErrorEmails: Type.Optional(
      Type.Union([Type.Array(Type.String()), Type.String(), Type.Null()], { description: 'E-mail addresses told of failures' }),
    ),
    ErrorAssociates: Type.Optional(
      Type.Union([Type.Array(Type.Any()), Type.Null()], {
        description: 'List items ({"Id": associate id}) of associates told of failures',
      }),
    ),
    Description: Type.Optional(nullable(Type.String())),
    NotifyVia: Type.Optional(
      Type.Union([Type.String(), Type.Integer(), Type.Array(Type.String()), Type.Null()], {
        description: 'Flags: None 0, Email 1, InApp 2',
      }),
    ),
    NotifyWhen: Type.Optional(
      Type.Union([Type.String(), Type.Integer(), Type.Array(Type.String()), Type.Null()], {
        description: 'Flags: None 0, FirstFailure 1, Disabling 2',
      }),
    ),
    MaxPerSecond: Type.Optional(
      Type.Union([Type.Number(), Type.String(), Type.Null()], {
        description: 'hookd: attempts a second at most, across all processes (fractions allowed; null or 0: no limit)',
      }),
    ),
    Ordering: Type.Optional(
      Type.Union([Type.String(), Type.Integer(), Type.Null()], {
        description: "hookd: 'None' (NetServer's rule) or 'Strict' (one event at a time, in signal order)",
      }),
    ),
    Filter: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Any()), Type.String(), Type.Null()], {
        description:
          'hookd: a query over the payload ($eq $ne $gt $gte $lt $lte $in $nin $exists $regex $and $or $nor $not …); non-matching events are not queued',
      }),
    ),
    SendTraceContext: Type.Optional(
      Type.Union([Type.Boolean(), Type.String(), Type.Integer(), Type.Null()], {
        description:
          "hookd: deliveries carry a W3C traceparent in the trace of the SignalEvent request (false or absent: NetServer's headers only)",
      }),
    ),
    ReceiverAuth: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Any()), Type.String(), Type.Null()], {
        description:
          'hookd: how deliveries authenticate to the receiver — ClientCertificate {Certificate, Key} (PEM, mutual TLS), CaCertificates (PEM of a private CA), OAuth2 {TokenUrl, ClientId, ClientSecret, Scope, Audience, Method}, Basic {UserName, Password}. Absent: kept; null: removed; secrets left out: kept; XML and form bodies give it as JSON text',
      }),
    ),
  },
  { additionalProperties: true, description: 'The Webhook carrier; read-only properties (Registered, associates, statistics) are ignored' },
);

export const PatchBody = Type.Union(
  [
    Type.Array(
      Type.Object({
        op: Type.String({ description: 'add, replace, remove or test' }),
        path: Type.String(),
        value: Type.Optional(Type.Any()),
      }),
    ),
    Type.Record(Type.String(), Type.Any()),
  ],
  { description: 'application/json-patch+json (array) or application/merge-patch+json (object)' },
);

export const SignalData = Type.Union([Type.Record(Type.String(), Type.Any()), Type.Null()], {
  description: 'Changes, FieldValues, Values, ChangedByAssociateId, ContextIdentifier; other keys go into FieldValues',
});

export const SignalItem = Type.Object(
  { EventName: Type.String(), PrimaryKey: Type.Optional(int32ish), Data: Type.Optional(SignalData) },
  { additionalProperties: true },
);
export const SignalBatch = Type.Array(SignalItem, { maxItems: 10000 });

export const TenantBody = Type.Object({
  ContextIdentifier: Type.String(),
  UserName: Type.String(),
  Password: Type.String(),
  Name: Type.Optional(Type.String()),
  Email: Type.Optional(Type.String({ description: 'Where NotifyVia Email reaches this associate' })),
});

export const AssociateBody = Type.Object({
  UserName: Type.String(),
  Password: Type.String(),
  Name: Type.Optional(Type.String()),
  Email: Type.Optional(Type.String({ description: 'Where NotifyVia Email reaches this associate' })),
});

export const PortalTokenBody = Type.Union([
  Type.Object({ Minutes: Type.Optional(Type.Number({ description: 'How long the token lasts: 1–1440 minutes (default 60)' })) }),
  Type.Null(),
]);

export const TokenBody = Type.Union([Type.Object({ Name: Type.Optional(nullable(Type.String())) }), Type.Null()]);

export const ErrorEnvelope = Type.Object({
  Error: Type.Boolean(),
  ErrorType: Type.String(),
  ErrorMessage: Type.String(),
  ErrorSource: Type.String(),
  ErrorCode: Type.String(),
});

export const StatsQuery = Type.Object({
  Since: Type.Optional(Type.String({ description: "A date-time, or a span before now such as '24h' (default)" })),
  Until: Type.Optional(Type.String({ description: 'A date-time, or a span before now (default: now)' })),
  Bucket: Type.Optional(Type.String({ description: "The bucket size: '5m', '1h' (default), '1d'" })),
});

export const RecoverQuery = Type.Object({ DryRun: Type.Optional(Type.String({ description: 'true: answer the count only' })) });
export const RecoverBody = Type.Union([
  Type.Object(
    {
      Since: Type.Optional(Type.String({ description: "A date-time, or a span before now such as '2h' (required)" })),
      Until: Type.Optional(Type.String({ description: 'A date-time, or a span before now (default: now)' })),
      Status: Type.Optional(Type.String({ description: "'Failed' (default: delivered only after failed attempts) or 'All'" })),
      Events: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()])),
    },
    { additionalProperties: true },
  ),
  Type.Null(),
]);
export const RetentionBody = Type.Object({
  DeliveryRetentionDays: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 36500 }), Type.Null()])),
  EventRetentionDays: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 36500 }), Type.Null()])),
});

/** SignalEvent, its RPC twin and the batch route: an optional Idempotency-Key (hookd extension). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description: 'The same key within HOOKD_IDEMPOTENCY_HOURS stores nothing new and gets the first answer; another body is 409',
    }),
  ),
});

export const FilterTestBody = Type.Object(
  {
    Filter: Type.Record(Type.String(), Type.Any(), { description: 'The filter, as a webhook would carry it' }),
    Payload: Type.Record(Type.String(), Type.Any(), { description: 'A sample payload, as a receiver would get it' }),
  },
  { additionalProperties: true },
);

export const RotateBody = Type.Object(
  {
    Secret: Type.Optional(nullable(Type.String({ description: 'The new secret (16–400 characters); omit it to have one generated' }))),
    GracePeriodHours: Type.Optional(Type.Number({ description: 'How long the previous secret still signs (default 24, at most 720)' })),
  },
  { additionalProperties: true },
);
