import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from './group-commit.js';

/** A commit function that records each group it was given and can be told to fail. */
function recorder(failWhen: (items: number[]) => boolean = () => false) {
  const groups: number[][] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  return {
    groups,
    /** The next commit waits until `open()` is called. */
    hold() {
      gate = new Promise((r) => (release = r));
    },
    open() {
      release?.();
      gate = null;
    },
    commit: async (items: number[]) => {
      groups.push([...items]);
      if (gate) await gate;
      if (failWhen(items)) throw new Error(`bad item in ${items.join(',')}`);
      return items.map((i) => i * 10);
    },
  };
}

describe('GroupCommit', () => {
  it('puts requests of the same moment in one commit and answers each with its own result', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => group.submit(i)));
    assert.deepEqual(answers, [10, 20, 30, 40, 50]);
    assert.deepEqual(r.groups, [[1, 2, 3, 4, 5]]);
  });

  it('answers nobody before the commit that carries them ends, and gathers what arrives meanwhile into the next', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit);
    r.hold();
    let firstAnswered = false;
    const first = group.submit(1).then((v) => {
      firstAnswered = true;
      return v;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(r.groups, [[1]], 'a lone request goes at once');
    const later = [2, 3, 4].map((i) => group.submit(i));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(firstAnswered, false, 'not answered while its commit runs');
    assert.deepEqual(r.groups, [[1]], 'the others wait for the running commit');
    r.open();
    assert.deepEqual(await Promise.all([first, ...later]), [10, 20, 30, 40]);
    assert.deepEqual(r.groups, [[1], [2, 3, 4]]);
  });

  it('when a shared commit fails, each item goes again alone: only the bad one is refused', async () => {
    const r = recorder((items) => items.includes(3));
    const group = new GroupCommit(r.commit);
    const settled = await Promise.allSettled([1, 2, 3, 4].map((i) => group.submit(i)));
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
      [10, 20, 'bad item in 3', 40],
    );
    assert.deepEqual(r.groups, [[1, 2, 3, 4], [1], [2], [3], [4]]);
  });

  it('splits a crowd into commits of at most maxItems', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => group.submit(i)));
    assert.deepEqual(r.groups, [[1, 2], [3, 4], [5]]);
  });
});
