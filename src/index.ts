/** The package's public API: embed hookd, or verify its deliveries in a receiver. */

export { type Config, loadConfig } from './config/settings.js';
export type { EventHandler, HandlerInput } from './delivery/plugins.js';
export type { EventRecord } from './domain/payload.js';
export { createHookd, type Hookd, type HookdOptions } from './hookd.js';
export { signNetServer, verifySignature } from './signing/netserver.js';
