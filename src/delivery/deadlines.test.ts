/** The sender's deadlines list: in-flight attempts in start order, one timer for all, nothing kept once an attempt ends. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Deadlined, Deadlines } from './http-sender.js';

function attempt(name: string, deadline: number, signal: AbortSignal | null, log: string[]): Deadlined {
  return {
    deadline,
    signal,
    prev: null,
    next: null,
    listed: false,
    cancel(reason: Error, timedOut: boolean) {
      log.push(`${name} ${timedOut ? 'timed out' : `stopped: ${reason.message}`}`);
    },
  };
}

describe('Deadlines', () => {
  it('times out the attempts still in flight, oldest first, and leaves the ended ones alone', async () => {
    const deadlines = new Deadlines(30);
    const log: string[] = [];
    const now = performance.now();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => attempt(n, now + 30, null, log)) as [Deadlined, Deadlined, Deadlined, Deadlined];
    for (const x of [a, b, c, d]) deadlines.add(x);
    deadlines.remove(b);
    deadlines.remove(d); // the tail
    deadlines.remove(d); // twice: nothing happens
    await sleep(80);
    assert.deepEqual(log, ['a timed out', 'c timed out']);
    // Each ended attempt let go of its neighbours: a finished one keeps nothing of the list reachable.
    for (const x of [a, b, c, d]) assert.deepEqual([x.prev, x.next, x.listed], [null, null, false]);
  });

  it('a later deadline waits for its own time after the first ones expire', async () => {
    const deadlines = new Deadlines(20);
    const log: string[] = [];
    deadlines.add(attempt('early', performance.now() + 20, null, log));
    deadlines.add(attempt('late', performance.now() + 120, null, log));
    await sleep(60);
    assert.deepEqual(log, ['early timed out']);
    await sleep(120);
    assert.deepEqual(log, ['early timed out', 'late timed out']);
  });

  it('shutdown stops the attempts of its signal only, in start order', () => {
    const deadlines = new Deadlines(60_000);
    const log: string[] = [];
    const stop = new AbortController();
    const other = new AbortController();
    const far = performance.now() + 60_000;
    const list = [attempt('1', far, stop.signal, log), attempt('2', far, other.signal, log), attempt('3', far, stop.signal, log)];
    // A cancelled attempt leaves the list as it fails (HttpSender's Attempt.fail removes it).
    for (const x of list) {
      const cancel = x.cancel.bind(x);
      x.cancel = (reason, timedOut) => {
        deadlines.remove(x);
        cancel(reason, timedOut);
      };
      deadlines.add(x);
    }
    stop.abort(new Error('shutting down'));
    deadlines.abortAll(stop.signal);
    assert.deepEqual(log, ['1 stopped: shutting down', '3 stopped: shutting down']);
    assert.equal(list[1]?.listed, true);
    deadlines.remove(list[1]!);
  });
});
