/**
 * The error catalogue: every error a client can see, with a stable code, an HTTP status, NetServer's ErrorType and
 * a sentence in English and Norwegian (the other languages SuperOffice ships are in error-translations.ts).
 * Internal detail is never put here. errors.ts turns an entry into a HookdError and its envelope.
 */

/** The parameters as a sentence reads them (dates and quantities already written in the caller's culture). */
export type Params = Record<string, string | number>;
export type Sentence = (p: Params) => string;

interface CatalogueEntry {
  status: number;
  errorType: string;
  en: Sentence;
  nb: Sentence;
}

export const entries = {
  unauthorized: {
    status: 401,
    errorType: 'SoAuthenticationException',
    en: () => 'Authentication is required: send an Authorization header with the Basic, Bearer or SoTicket scheme.',
    nb: () => 'Autentisering kreves: send en Authorization-header med Basic-, Bearer- eller SoTicket-skjema.',
  },
  invalid_credentials: {
    status: 401,
    errorType: 'SoAuthenticationException',
    en: () => 'The user name, password, token or ticket was not accepted.',
    nb: () => 'Brukernavnet, passordet, tokenet eller billetten ble ikke godtatt.',
  },
  xsrf_token_invalid: {
    status: 401,
    errorType: 'SoAuthenticationException',
    en: () => 'A session cookie was sent without a matching X-XSRF-TOKEN header: copy the XSRF-TOKEN cookie into that header.',
    nb: () => 'En sesjonscookie ble sendt uten en samsvarende X-XSRF-TOKEN-header: kopier XSRF-TOKEN-cookien inn i den headeren.',
  },
  forbidden: {
    status: 403,
    errorType: 'SoAccessDeniedException',
    en: (p) => `You are not allowed to ${p.action}.`,
    nb: (p) => `Du har ikke lov til å ${p.action}.`,
  },
  app_token_mismatch: {
    status: 403,
    errorType: 'SoAccessDeniedException',
    en: (p) =>
      `Webhook ${p.id} was registered by another application: only a caller presenting the same SO-AppToken may change or delete it.`,
    nb: (p) => `Webhook ${p.id} ble registrert av en annen applikasjon: bare en som sender samme SO-AppToken kan endre eller slette den.`,
  },
  app_not_granted: {
    // "Online Restricted": the seeds' own sentence for the Webhook agent, then what to do about it in hookd.
    status: 403,
    errorType: 'SoAccessDeniedException',
    en: () =>
      'The Webhook agent is not available in Online by default. Access must be requested specifically when app is registered. (This application, by its SO-AppToken, has not been granted access by the administrator.)',
    nb: () =>
      'Webhook-agenten er ikke tilgjengelig i Online som standard. Tilgang må bes om spesifikt når appen registreres. (Denne applikasjonen har ikke fått tilgang av administratoren for sin SO-AppToken.)',
  },
  not_found: {
    status: 404,
    errorType: 'SoNotFoundException',
    en: (p) => `${p.entity} id ${p.id} not found`,
    nb: (p) => `${p.entity} med id ${p.id} finnes ikke`,
  },
  route_not_found: {
    status: 404,
    errorType: 'SoNotFoundException',
    en: (p) => `There is no route ${p.method} ${p.url}.`,
    nb: (p) => `Det finnes ingen rute ${p.method} ${p.url}.`,
  },
  tenant_not_found: {
    status: 404,
    errorType: 'SoNotFoundException',
    en: (p) => `There is no tenant named '${p.tenant}'.`,
    nb: (p) => `Det finnes ingen kunde med navnet '${p.tenant}'.`,
  },
  tenant_exists: {
    status: 409,
    errorType: 'SoDuplicateException',
    en: (p) => `A tenant named '${p.tenant}' exists already.`,
    nb: (p) => `En kunde med navnet '${p.tenant}' finnes allerede.`,
  },
  user_exists: {
    status: 409,
    errorType: 'SoDuplicateException',
    en: (p) => `A user named '${p.userName}' exists already in this tenant.`,
    nb: (p) => `En bruker med navnet '${p.userName}' finnes allerede hos denne kunden.`,
  },
  body_missing: {
    status: 400,
    errorType: 'SoBadRequestException',
    en: () => 'Entity to save is not in request body.',
    nb: () => 'Entiteten som skal lagres mangler i forespørselen.',
  },
  body_malformed: {
    status: 400,
    errorType: 'SoBadRequestException',
    en: (p) => `The request body is not valid ${p.format}: ${p.detail}`,
    nb: (p) => `Forespørselen er ikke gyldig ${p.format}: ${p.detail}`,
  },
  input_forbidden_key: {
    status: 400,
    errorType: 'SoBadRequestException',
    en: (p) => `The ${p.where} names '${p.key}' (at ${p.path}): __proto__, constructor and prototype are not accepted as names.`,
    nb: (p) =>
      `${p.where === 'query string' ? 'Spørrestrengen' : 'Forespørselen'} bruker navnet '${p.key}' (ved ${p.path}): __proto__, constructor og prototype godtas ikke som navn.`,
  },
  body_too_deep: {
    status: 400,
    errorType: 'SoBadRequestException',
    en: (p) => `The request body nests deeper than ${p.max} levels (at ${p.path}).`,
    nb: (p) => `Forespørselen er nøstet dypere enn ${p.max} nivåer (ved ${p.path}).`,
  },
  body_too_large: {
    status: 413,
    errorType: 'SoBadRequestException',
    en: (p) => `The request body is larger than the limit of ${p.limit} bytes.`,
    nb: (p) => `Forespørselen er større enn grensen på ${p.limit} byte.`,
  },
  unsupported_media_type: {
    status: 415,
    errorType: 'SoBadRequestException',
    en: (p) => `Content-Type '${p.type}' is not supported here; use ${p.supported}.`,
    nb: (p) => `Content-Type '${p.type}' støttes ikke her; bruk ${p.supported}.`,
  },
  not_acceptable: {
    status: 406,
    errorType: 'SoBadRequestException',
    en: (p) => `None of the types in Accept ('${p.accept}') can be produced; use application/json or application/xml.`,
    nb: (p) => `Ingen av typene i Accept ('${p.accept}') kan leveres; bruk application/json eller application/xml.`,
  },
  invalid_field: {
    status: 400,
    errorType: 'SoBadRequestException',
    en: (p) => `${p.property}: ${p.rule}`,
    nb: (p) => `${p.property}: ${p.rule}`,
  },
  invalid_parameter: {
    status: 400,
    errorType: 'SoBadRequestException',
    en: (p) => `Parameter '${p.name}' ${p.rule}.`,
    nb: (p) => `Parameteren '${p.name}' ${p.rule}.`,
  },
  invalid_patch: {
    status: 400,
    errorType: 'SoBadRequestException',
    en: (p) => `The patch cannot be applied: ${p.detail}`,
    nb: (p) => `Patchen kan ikke brukes: ${p.detail}`,
  },
  idempotency_conflict: {
    status: 409,
    errorType: 'SoConflictException',
    en: (p) =>
      `Idempotency-Key '${p.key}' was used for a different request in the last ${p.hours} hours; send a new key for a new request.`,
    nb: (p) =>
      `Idempotency-Key '${p.key}' ble brukt til en annen forespørsel de siste ${p.hours} timene; bruk en ny nøkkel for en ny forespørsel.`,
  },
  no_rotation: {
    status: 409,
    errorType: 'SoConflictException',
    en: (p) =>
      `Webhook ${p.id} has no secret rotation in its overlap: rotate the secret first (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
    nb: (p) =>
      `Webhook ${p.id} har ingen hemmelighetsrotasjon i overlapp: roter hemmeligheten først (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
  },
  patch_test_failed: {
    status: 409,
    errorType: 'SoConflictException',
    en: (p) => `The patch's test operation on '${p.path}' failed: the value differs.`,
    nb: (p) => `Patchens test-operasjon på '${p.path}' feilet: verdien er en annen.`,
  },
  precondition_failed: {
    status: 412,
    errorType: 'SoPreconditionFailedException',
    en: (p) => `${p.entity} ${p.id} has been modified since ${p.since}.`,
    nb: (p) => `${p.entity} ${p.id} er endret siden ${p.since}.`,
  },
  target_test_failed: {
    status: 400,
    errorType: 'SoWebhookException',
    en: (p) => `TargetUrl did not answer the test event with a 2xx status, so the webhook was not saved. The target answered: ${p.answer}`,
    nb: (p) => `TargetUrl svarte ikke på test-hendelsen med status 2xx, så webhooken ble ikke lagret. Målet svarte: ${p.answer}`,
  },
  target_not_secure: {
    // NetServer's own ErrorType and text (the test fixture of @superoffice/webapi's WebhookTest), untranslated as NetServer sends it.
    status: 400,
    errorType: 'ArgumentException',
    en: (p) => `Webhook TargetUrl must be secure: 'HTTPS:' not found in ${p.url}`,
    nb: (p) => `Webhook TargetUrl must be secure: 'HTTPS:' not found in ${p.url}`,
  },
  target_not_allowed: {
    status: 400,
    errorType: 'SoWebhookException',
    en: (p) => `TargetUrl ${p.reason} (set HOOKD_ALLOW_PRIVATE_TARGETS=1 to allow it in development).`,
    nb: (p) => `TargetUrl ${p.reason} (sett HOOKD_ALLOW_PRIVATE_TARGETS=1 for å tillate det under utvikling).`,
  },
  delivery_not_found: {
    status: 404,
    errorType: 'SoNotFoundException',
    en: (p) => `Delivery ${p.id} of webhook ${p.webhookId} not found`,
    nb: (p) => `Levering ${p.id} for webhook ${p.webhookId} finnes ikke`,
  },
  rate_limited: {
    status: 429,
    errorType: 'SoTooManyRequestsException',
    en: (p) => `Too many requests: try again in ${p.seconds} seconds.`,
    nb: (p) => `For mange forespørsler: prøv igjen om ${p.seconds} sekunder.`,
  },
  recover_jobs_limit: {
    status: 429,
    errorType: 'SoTooManyRequestsException',
    en: (p) =>
      `This tenant has ${p.open} recover jobs queued or running, the most it may have: wait until one is done (GET /Jobs/{id}), then ask again.`,
    nb: (p) =>
      `Denne kunden har ${p.open} gjenopprettingsjobber i kø eller under kjøring, det meste den kan ha: vent til en er ferdig (GET /Jobs/{id}), og spør igjen.`,
  },
  store_unavailable: {
    status: 503,
    errorType: 'SoDatabaseException',
    en: () => 'The database is not available right now; nothing was saved. Try again shortly.',
    nb: () => 'Databasen er ikke tilgjengelig nå; ingenting ble lagret. Prøv igjen snart.',
  },
  internal: {
    status: 500,
    errorType: 'SoException',
    en: () => 'An unexpected error occurred; it has been logged.',
    nb: () => 'En uventet feil oppstod; den er logget.',
  },
} satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof entries;
