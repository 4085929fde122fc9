/** The flags every command that talks to a server shares. */
import type { Command } from 'commander';
import { HookdClient } from '../client.js';

export interface ConnectionFlags {
  url?: string;
  user?: string;
  password?: string;
  token?: string;
  json?: boolean;
}

export function withConnection(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'hookd API root (HOOKD_URL, default http://127.0.0.1:8080)')
    .option('--user <name>', 'user name (HOOKD_USER, default admin)')
    .option('--password <password>', 'password (HOOKD_PASSWORD)')
    .option('--token <token>', 'API token for Bearer auth (HOOKD_TOKEN)')
    .option('--json', 'print JSON for scripts');
}

export function clientOf(flags: ConnectionFlags): HookdClient {
  return new HookdClient(flags);
}

/** Whole positive numbers for ids; anything else is a usage error. */
export function idArg(value: string, name = 'id'): number {
  if (!/^\d{1,10}$/.test(value)) throw new Error(`${name} must be a whole number (got '${value}')`);
  return Number(value);
}
