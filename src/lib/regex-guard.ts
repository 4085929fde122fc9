/**
 * No user pattern reaches V8's RegExp any more: payload filters run on RE2 (domain/filter.ts). What is left is a
 * process-wide backstop for hookd's own patterns, which are fixed and simple; it can go with its call in hookd.ts.
 * V8 can fall back from backtracking to its
 * linear-time engine once a match backtracks too often (50,000 times by default): with this on, a pattern that
 * slipped past the filter checks (domain/filter.ts) costs milliseconds, not minutes — `^(a|aa)+$` on 5,000
 * characters took 3.5 ms with it on Node 20 and 24, and ~600 ms on just 32 characters without it.
 * It changes no result, only how long a pathological match may take; hookd turns it on once, at start.
 */
import { setFlagsFromString } from 'node:v8';

let enabled = false;

export function enableLinearRegexFallback(): void {
  if (enabled) return;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  enabled = true;
}
