/** The package's public API: embed hookd, or verify its deliveries in a receiver. */
export { createHookd, type Hookd, type HookdOptions } from './hookd.js';
export { loadConfig, type Config } from './config/settings.js';
export { signNetServer, verifySignature } from './signing/netserver.js';
export { superOfficeSignature, fastifySuperOfficeSignature } from './receiver/middleware.js';
export type { WebhookPayload, WebhookHeaders, CatalogueEntity } from './receiver/types.js';
export { EVENT_CATALOGUE, sampleData } from './domain/event-catalogue.js';
export type { EventRecord } from './domain/payload.js';
export type { HandlerInput, EventHandler } from './delivery/plugins.js';
