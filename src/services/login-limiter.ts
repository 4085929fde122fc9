/**
 * Failed-login limiting: after `limit` failures in a window, a user name (and, at five times the limit, a
 * client address) is refused with 429 until the window ends — even with the right password, so guessing
 * cannot continue. Counts live in this process's memory: with several processes each counts its own.
 */
import { HookdError } from '../domain/errors.js';

/** How many addresses and user names are remembered at most; the oldest are forgotten first. */
const MAX_KEYS = 10_000;

interface Window {
  failures: number;
  resetsAt: number;
}

export class LoginLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Throws 429 (with the seconds to wait) when either key is locked out. */
  check(keys: Array<{ key: string; limit: number }>, now: number): void {
    if (this.limit <= 0) return;
    for (const { key, limit } of keys) {
      const w = this.windows.get(key);
      if (w && w.resetsAt > now && w.failures >= limit) {
        throw new HookdError('rate_limited', { seconds: Math.ceil((w.resetsAt - now) / 1000) });
      }
    }
  }

  fail(keys: string[], now: number): void {
    if (this.limit <= 0) return;
    for (const key of keys) {
      const w = this.windows.get(key);
      if (!w || w.resetsAt <= now) {
        if (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string);
        this.windows.set(key, { failures: 1, resetsAt: now + this.windowMs });
      } else w.failures++;
    }
  }

  succeed(key: string): void {
    this.windows.delete(key);
  }

  /** The keys and limits for one attempt. */
  keysFor(clientIp: string, userKey: string | null): Array<{ key: string; limit: number }> {
    const keys = [{ key: `ip:${clientIp}`, limit: this.limit * 5 }];
    if (userKey) keys.push({ key: `user:${userKey}`, limit: this.limit });
    return keys;
  }
}
