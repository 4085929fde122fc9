/**
 * `hookd webhook create|list|get|update|delete|test|enable|disable|last-error|export|import|test-filter|rotate-secret|confirm-secret`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collect, pairs, printJson, progress, table } from '../output.js';
import { type ConnectionFlags, clientOf, idArg, withConnection } from './connection.js';

const COLUMNS = ['WebhookId', 'Name', 'State', 'Type', 'Events', 'TargetUrl', 'TotalCalls', 'TotalErrors', 'ConsecutiveErrors'];

interface WebhookFlags extends ConnectionFlags {
  name?: string;
  events?: string;
  target?: string;
  secret?: string;
  type?: string;
  header?: string[];
  property?: string[];
  errorsEmail?: string;
  errorEmails?: string;
  errorAssociates?: string;
  description?: string;
  notifyVia?: string;
  notifyWhen?: string;
  maxPerSecond?: string;
  ordering?: string;
  filter?: string;
  sendTraceContext?: string;
  clientCert?: string;
  clientKey?: string;
  caCert?: string;
  oauth2TokenUrl?: string;
  oauth2ClientId?: string;
  oauth2ClientSecret?: string;
  oauth2Scope?: string;
  oauth2Audience?: string;
  oauth2Method?: string;
  basicUser?: string;
  basicPassword?: string;
  clearReceiverAuth?: boolean;
  stopped?: boolean;
}

/** A PEM argument: `@file` reads the file; anything else goes as given (the server says what is wrong with it). */
function pemArg(value: string): string {
  return value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
}

/** ReceiverAuth from the flags (issue 25): only the parts given, so an update keeps the others. */
function receiverAuthFrom(flags: WebhookFlags): Record<string, unknown> | null | undefined {
  if (flags.clearReceiverAuth) return null;
  const auth: Record<string, unknown> = {};
  if (flags.clientCert !== undefined || flags.clientKey !== undefined)
    auth.ClientCertificate = { Certificate: pemArg(flags.clientCert ?? ''), Key: pemArg(flags.clientKey ?? '') };
  if (flags.caCert !== undefined) auth.CaCertificates = flags.caCert === 'null' ? null : pemArg(flags.caCert);
  if (flags.oauth2TokenUrl !== undefined)
    auth.OAuth2 = {
      TokenUrl: flags.oauth2TokenUrl,
      ClientId: flags.oauth2ClientId,
      ClientSecret: flags.oauth2ClientSecret,
      Scope: flags.oauth2Scope,
      Audience: flags.oauth2Audience,
      Method: flags.oauth2Method,
    };
  if (flags.basicUser !== undefined) auth.Basic = { UserName: flags.basicUser, Password: flags.basicPassword };
  return Object.keys(auth).length > 0 ? auth : undefined;
}

/** A JSON argument given inline or as `@file`; text that is not JSON goes to the server as it is (it names the problem). */
function jsonArg(value: string): unknown {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function show(flags: ConnectionFlags, value: any): void {
  if (flags.json) printJson(value);
  else if (Array.isArray(value)) console.log(table(value, COLUMNS));
  else console.log(table([value], COLUMNS));
}

function carrierFrom(flags: WebhookFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.name !== undefined) body.Name = flags.name;
  if (flags.events !== undefined) body.Events = flags.events.split(',').map((e) => e.trim());
  if (flags.target !== undefined) body.TargetUrl = flags.target;
  if (flags.secret !== undefined) body.Secret = flags.secret;
  if (flags.type !== undefined) body.Type = flags.type;
  if (flags.errorsEmail !== undefined) body.ErrorsEmail = flags.errorsEmail;
  if (flags.errorEmails !== undefined) body.ErrorEmails = flags.errorEmails.split(',').map((e) => e.trim());
  if (flags.errorAssociates !== undefined) body.ErrorAssociates = flags.errorAssociates.split(',').map((id) => ({ Id: Number(id.trim()) }));
  if (flags.description !== undefined) body.Description = flags.description;
  if (flags.notifyVia !== undefined) body.NotifyVia = flags.notifyVia;
  if (flags.notifyWhen !== undefined) body.NotifyWhen = flags.notifyWhen;
  if (flags.maxPerSecond !== undefined) body.MaxPerSecond = flags.maxPerSecond === '0' ? null : Number(flags.maxPerSecond);
  if (flags.ordering !== undefined) body.Ordering = flags.ordering;
  if (flags.filter !== undefined) body.Filter = jsonArg(flags.filter);
  // Given as typed: the server says what is wrong with anything but true or false.
  if (flags.sendTraceContext !== undefined) body.SendTraceContext = flags.sendTraceContext;
  const headers = pairs(flags.header, '--header');
  if (headers) body.Headers = headers;
  const properties = pairs(flags.property, '--property');
  if (properties) body.Properties = properties;
  const receiverAuth = receiverAuthFrom(flags);
  if (receiverAuth !== undefined) body.ReceiverAuth = receiverAuth;
  if (flags.stopped) body.State = 'Stopped';
  return body;
}

function editFlags(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'name of the webhook')
    .option('--events <list>', "comma separated events, e.g. 'contact.created,sale.*'")
    .option('--target <url>', 'TargetUrl (https; http and loopback need the server in --dev mode)')
    .option('--secret <secret>', 'shared secret for X-SuperOffice-Signature')
    .option('--type <type>', "'webhook' (default) or 'crmscript'")
    .option('--header <key=value>', 'custom HTTP header (repeatable)', collect)
    .option('--property <key=value>', 'custom payload property (repeatable)', collect)
    .option('--errors-email <address>', 'address to tell when the webhook is switched off (obsolete form of --error-emails)')
    .option('--error-emails <list>', 'comma separated e-mail addresses told of failures (ErrorEmails)')
    .option('--error-associates <ids>', 'comma separated associate ids told of failures (ErrorAssociates)')
    .option('--description <text>', 'what the webhook is for')
    .option('--notify-via <flags>', "how failures are told: 'Email', 'InApp', 'Email,InApp' or 'None'")
    .option('--notify-when <flags>', "which failures are told: 'FirstFailure', 'Disabling', both, or 'None'")
    .option('--max-per-second <n>', 'send at most n attempts a second (fractions allowed; 0: no limit)')
    .option('--ordering <ordering>', "'Strict': one event at a time, in signal order; 'None': NetServer's rule")
    .option('--filter <json>', 'a payload filter (JSON, or @file), e.g. \'{"FieldValues.amount": {"$gt": 100}}\'; null: none')
    .option('--send-trace-context <bool>', "'true': deliveries carry a W3C traceparent in the event's trace; 'false': none")
    .option('--client-cert <pem>', 'mutual TLS: the client certificate (PEM, or @file); with --client-key')
    .option('--client-key <pem>', 'mutual TLS: its private key (PEM, or @file); sealed at rest, never shown')
    .option('--ca-cert <pem>', "the CA that signs the receiver's certificate (PEM, or @file); null: the public roots")
    .option('--oauth2-token-url <url>', 'OAuth2 client credentials: the token endpoint (https)')
    .option('--oauth2-client-id <id>', 'OAuth2 client id')
    .option('--oauth2-client-secret <secret>', 'OAuth2 client secret (sealed at rest, never shown)')
    .option('--oauth2-scope <scope>', 'OAuth2 scope')
    .option('--oauth2-audience <audience>', 'OAuth2 audience')
    .option('--oauth2-method <method>', "'client_secret_basic' (default) or 'client_secret_post'")
    .option('--basic-user <user>', 'basic auth to the receiver: the user')
    .option('--basic-password <password>', 'basic auth: the password (sealed at rest, never shown)')
    .option('--clear-receiver-auth', 'remove the client certificate, CA, OAuth2 and basic auth');
}

export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description('manage webhooks on a running server');

  editFlags(withConnection(webhook.command('create').description('register a webhook')))
    .option('--stopped', 'create it Stopped (no save-time ping, no deliveries)')
    .action(async (flags: WebhookFlags) => {
      for (const required of ['name', 'events', 'target'] as const) {
        if (!flags[required]) throw new Error(`--${required} is required`);
      }
      show(flags, await clientOf(flags).call('POST', '/api/v1/Webhook', carrierFrom(flags)));
    });

  withConnection(webhook.command('list').description('list webhooks'))
    .option('--name <name>', 'only webhooks with this name')
    .option('--event <event>', 'only webhooks receiving this event')
    .option('--status <state>', 'Active, Stopped or TooManyErrors')
    .action(async (flags: ConnectionFlags & { name?: string; event?: string; status?: string }) => {
      const q = new URLSearchParams();
      if (flags.name) q.set('nameFilter', flags.name);
      if (flags.event) q.set('eventFilter', flags.event);
      if (flags.status) q.set('statusFilter', flags.status);
      show(flags, await clientOf(flags).call('GET', `/api/v1/Webhook${q.size ? `?${q}` : ''}`));
    });

  withConnection(webhook.command('get <id>').description('show one webhook')).action(async (id: string, flags: ConnectionFlags) => {
    const w = await clientOf(flags).call('GET', `/api/v1/Webhook/${idArg(id)}`);
    if (flags.json) printJson(w);
    else
      for (const [k, v] of Object.entries(w))
        if (k !== '_Links') console.log(`${k.padEnd(20)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`);
  });

  editFlags(withConnection(webhook.command('update <id>').description('change some fields (a merge patch)'))).action(
    async (id: string, flags: WebhookFlags) => {
      const body = carrierFrom(flags);
      if (Object.keys(body).length === 0)
        throw new Error('nothing to change: give at least one of --name, --events, --target, --secret, …');
      show(flags, await clientOf(flags).call('PATCH', `/api/v1/Webhook/${idArg(id)}`, body, 'application/merge-patch+json'));
    },
  );

  withConnection(webhook.command('delete <id>').description('delete a webhook')).action(async (id: string, flags: ConnectionFlags) => {
    await clientOf(flags).call('DELETE', `/api/v1/Webhook/${idArg(id)}`);
    if (!flags.json) console.log(`deleted webhook ${id}`);
  });

  for (const [verb, state] of [
    ['enable', 'Active'],
    ['disable', 'Stopped'],
  ] as const) {
    withConnection(webhook.command(`${verb} <id>`).description(`set the state to ${state}`)).action(
      async (id: string, flags: ConnectionFlags) => {
        show(flags, await clientOf(flags).call('PATCH', `/api/v1/Webhook/${idArg(id)}`, { State: state }, 'application/merge-patch+json'));
      },
    );
  }

  withConnection(webhook.command('test <id>').description("send the 'test' event to the webhook's target")).action(
    async (id: string, flags: ConnectionFlags) => {
      const client = clientOf(flags);
      const w = await client.call('GET', `/api/v1/Webhook/${idArg(id)}`);
      const result = await client.call('POST', '/api/v1/Webhook/Test', w);
      if (flags.json) printJson(result);
      else console.log(`${result.Success ? 'success' : 'FAILURE'}\n${result.Message}`);
      if (!result.Success) process.exitCode = 1;
    },
  );

  withConnection(
    webhook
      .command('test-filter <filter> <payload>')
      .description('does a payload filter match a sample payload (each JSON, or @file)? says which conditions missed'),
  ).action(async (filter: string, payload: string, flags: ConnectionFlags) => {
    const verdict = await clientOf(flags).call('POST', '/api/v1/Webhook/Filter/Test', {
      Filter: jsonArg(filter),
      Payload: jsonArg(payload),
    });
    if (flags.json) printJson(verdict);
    else {
      console.log(verdict.Matches ? 'matches' : 'does not match');
      for (const f of verdict.Failed as Array<{ Condition: unknown; Value: unknown }>) {
        console.log(`  ${JSON.stringify(f.Condition)} — the payload has ${JSON.stringify(f.Value)}`);
      }
    }
    if (!verdict.Matches) process.exitCode = 1;
  });

  withConnection(
    webhook
      .command('rotate-secret <id>')
      .description('a new secret signs from now; the previous one still signs beside it for the grace period')
      .option('--secret <secret>', 'the new secret (16–400 characters); generated when omitted')
      .option('--grace-hours <hours>', 'how long the previous secret still signs (default 24)'),
  ).action(async (id: string, flags: ConnectionFlags & { secret?: string; graceHours?: string }) => {
    const body: Record<string, unknown> = {};
    if (flags.secret !== undefined) body.Secret = flags.secret;
    if (flags.graceHours !== undefined) body.GracePeriodHours = Number(flags.graceHours);
    const w = await clientOf(flags).call('POST', `/api/v1/Webhook/${idArg(id)}/Secret/Rotate`, body);
    if (flags.json) printJson(w);
    else
      console.log(`new secret: ${w.Secret}
the previous one signs too until ${w.SecretRotation?.PreviousSecretExpires ?? 'now'}`);
  });

  withConnection(
    webhook
      .command('confirm-secret <id>')
      .description('ping the target signed with the new secret; on success X-SuperOffice-Signature switches to it'),
  ).action(async (id: string, flags: ConnectionFlags) => {
    const result = await clientOf(flags).call('POST', `/api/v1/Webhook/${idArg(id)}/Secret/Confirm`);
    if (flags.json) printJson(result);
    else console.log(`${result.Success ? 'confirmed' : 'NOT confirmed: the target did not accept the new secret'}\n${result.Message}`);
    if (!result.Success) process.exitCode = 1;
  });

  withConnection(webhook.command('last-error <id>').description('the last error the target answered')).action(
    async (id: string, flags: ConnectionFlags) => {
      const text = await clientOf(flags).call('GET', `/api/v1/Webhook/${idArg(id)}/LastError`);
      if (flags.json) printJson(text);
      else console.log(text === '' ? '(no error recorded)' : text);
    },
  );

  withConnection(webhook.command('export <file>').description('write every webhook to a JSON file')).action(
    async (file: string, flags: ConnectionFlags) => {
      const list = await clientOf(flags).call('GET', '/api/v1/Webhook');
      writeFileSync(file, `${JSON.stringify(list, null, 2)}\n`);
      progress('export', list.length, list.length);
      if (!flags.json) console.log(`exported ${list.length} webhooks to ${file}`);
    },
  );

  withConnection(webhook.command('import <file>').description('create the webhooks of a JSON file (as written by export)')).action(
    async (file: string, flags: ConnectionFlags) => {
      const list = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
      if (!Array.isArray(list)) throw new Error(`${file} must hold a JSON array of webhooks`);
      const client = clientOf(flags);
      const created: number[] = [];
      for (const [i, w] of list.entries()) {
        progress('import', i, list.length);
        created.push((await client.call('POST', '/api/v1/Webhook', { ...w, WebhookId: 0 })).WebhookId);
      }
      progress('import', list.length, list.length);
      if (flags.json) printJson(created);
      else console.log(`imported ${created.length} webhooks`);
    },
  );
}
